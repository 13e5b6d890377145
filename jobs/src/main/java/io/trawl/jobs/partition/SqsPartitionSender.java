package io.trawl.jobs.partition;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.MessageHandlingException;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The manager's end of the partition channel: each {@link StepExecutionRequest} becomes one message on the
 * partitions queue. A send that fails (after the SDK's retries) fails the analyse step, so the job can be restarted.
 */
final class SqsPartitionSender implements MessageHandler {

	static final String STEP_EXECUTION_ATTRIBUTE = "trawl-step-execution-id";
	private static final Logger log = LoggerFactory.getLogger(SqsPartitionSender.class);

	private final SqsClient sqs;
	private final String queueUrl;

	SqsPartitionSender(SqsClient sqs, String queueUrl) {
		this.sqs = sqs;
		this.queueUrl = queueUrl;
	}

	@Override
	public void handleMessage(Message<?> message) {
		if (!(message.getPayload() instanceof StepExecutionRequest request)) {
			throw new MessageHandlingException(message, "Only StepExecutionRequest payloads go to the partitions queue");
		}
		String body = PartitionRequest.toJson(request, jobExecutionId(message));
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
			throw new MessageHandlingException(message,
					"Sending partition " + request + " to " + queueUrl + " failed: " + e.getMessage(), e);
		}
	}

	/** The partition handler's correlation id is {@code jobExecutionId:stepName}. */
	private static Long jobExecutionId(Message<?> message) {
		Object correlation = message.getHeaders().get(IntegrationMessageHeaderAccessor.CORRELATION_ID);
		if (correlation instanceof String text && text.indexOf(':') > 0) {
			try {
				return Long.valueOf(text.substring(0, text.indexOf(':')));
			}
			catch (NumberFormatException e) {
				return null;
			}
		}
		return null;
	}
}
