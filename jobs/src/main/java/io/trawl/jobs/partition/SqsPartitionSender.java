package io.trawl.jobs.partition;

import java.util.Map;
import java.util.OptionalLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.integration.partition.StepExecutionRequest;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The manager's end of the partitions queue: each {@link StepExecutionRequest} becomes one message. A send that
 * fails (after the SDK's retries) fails the analyse step, so the job can be restarted.
 */
final class SqsPartitionSender {

	static final String STEP_EXECUTION_ATTRIBUTE = "trawl-step-execution-id";
	private static final Logger log = LoggerFactory.getLogger(SqsPartitionSender.class);

	private final SqsClient sqs;
	private final String queueUrl;

	SqsPartitionSender(SqsClient sqs, String queueUrl) {
		this.sqs = sqs;
		this.queueUrl = queueUrl;
	}

	void send(StepExecutionRequest request, Long jobExecutionId) {
		String body = PartitionRequest.toJson(request, jobExecutionId);
		try {
			String id = sqs.sendMessage(b -> b.queueUrl(queueUrl)
				.messageBody(body)
				.messageAttributes(Map.of(STEP_EXECUTION_ATTRIBUTE, MessageAttributeValue.builder()
					.dataType("Number")
					.stringValue(Long.toString(request.getStepExecutionId()))
					.build()))).messageId();
			log.debug("Partition {} sent to {} as message {}", request, queueUrl, id);
		}
		catch (SdkException e) {
			throw new IllegalStateException("Sending partition " + request + " to " + queueUrl + " failed: "
					+ e.getMessage(), e);
		}
	}

	/** How many messages wait on the queue for a worker (SQS's approximate count); empty when SQS cannot say now. */
	OptionalLong visibleMessages() {
		try {
			String visible = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
				.attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
				.attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
			return visible == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(visible));
		}
		catch (SdkException | NumberFormatException e) {
			log.debug("The partitions queue's message count could not be read: {}", e.getMessage());
			return OptionalLong.empty();
		}
	}
}
