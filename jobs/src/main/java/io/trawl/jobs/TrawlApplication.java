package io.trawl.jobs;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Trawl's application. Spring Cloud AWS is here as a library only (its SQS listener container, built by
 * {@code io.trawl.jobs.queue.QueueConsumer} from Trawl's own AWS settings, {@code trawl.aws.*}, and only on a node that
 * consumes a queue), without its auto-configuration: the embedded default makes no AWS client and needs no AWS region
 * or credentials.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TrawlApplication {
}
