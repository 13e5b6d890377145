package io.trawl.jobs.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import io.awspring.cloud.sqs.listener.MessageListenerContainer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.ClassUtils;

import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import io.trawl.jobs.queue.QueueConsumer;
import io.trawl.jobs.TrawlApplication;

/**
 * The embedded default, served ({@code trawl serve}, no aws profile): Spring Cloud AWS is on the classpath for the
 * SQS consumers, but nothing of it runs: no SQS client, no listener container, no consumer, no bean of its
 * auto-configuration (which would want a region and credentials).
 */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:no-sqs;DB_CLOSE_DELAY=-1",
				"trawl.data-dir=target/test-data-no-sqs", "trawl.rules=../config/rules" })
class EmbeddedDefaultStartsNoSqsTests {

	@Autowired
	ConfigurableApplicationContext context;

	@Test
	void theEmbeddedServiceMakesNoSqsClientAndNoListenerContainer() {
		assertThat(context.getBeanNamesForType(SqsAsyncClient.class, true, false)).isEmpty();
		assertThat(context.getBeanNamesForType(SqsClient.class, true, false)).isEmpty();
		assertThat(context.getBeanNamesForType(MessageListenerContainer.class, true, false)).isEmpty();
		assertThat(context.getBeanNamesForType(QueueConsumer.Handler.class, true, false)).isEmpty();
		assertThat(Arrays.stream(context.getBeanDefinitionNames())
			.map(name -> context.getBeanFactory().getBeanDefinition(name).getBeanClassName())
			.filter(type -> type != null && type.startsWith("io.awspring."))).isEmpty();
		assertThat(Arrays.stream(context.getBeanDefinitionNames())).noneMatch(name -> name.startsWith("io.awspring."));
	}

	/** Spring Cloud AWS is a library here: its auto-configuration (clients, CloudWatch export) is not on the classpath. */
	@Test
	void noSpringCloudAwsAutoConfigurationIsOnTheClasspath() {
		assertThat(ClassUtils.isPresent("io.awspring.cloud.autoconfigure.sqs.SqsAutoConfiguration", null)).isFalse();
		assertThat(ClassUtils.isPresent("io.awspring.cloud.autoconfigure.metrics.CloudWatchExportAutoConfiguration",
				null)).isFalse();
		assertThat(ClassUtils.isPresent("io.awspring.cloud.sqs.listener.SqsMessageListenerContainer", null)).isTrue();
	}
}
