package io.trawl.jobs;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Spring Cloud AWS's auto-configuration is excluded: its SQS listener container is used, but built by
 * {@code io.trawl.jobs.queue.QueueConsumer} from Trawl's own AWS settings ({@code trawl.aws.*}), and only on a node
 * that consumes a queue. So the embedded default makes no AWS client and needs no AWS region or credentials.
 */
@SpringBootApplication(excludeName = { "io.awspring.cloud.autoconfigure.core.AwsAutoConfiguration",
		"io.awspring.cloud.autoconfigure.core.CredentialsProviderAutoConfiguration",
		"io.awspring.cloud.autoconfigure.core.RegionProviderAutoConfiguration",
		"io.awspring.cloud.autoconfigure.imds.ImdsAutoConfiguration",
		"io.awspring.cloud.autoconfigure.sqs.SqsAutoConfiguration" })
@ConfigurationPropertiesScan
public class TrawlApplication {
}
