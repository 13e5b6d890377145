package io.trawl.jobs.launch;

import java.util.Map;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Moves a message that will never be processed to a dead-letter queue at once, with the reason in its
 * {@value #ERROR_ATTRIBUTE} attribute, so nothing is dropped silently and nothing waits for maxReceiveCount.
 */
public final class DeadLetters {

	public static final String ERROR_ATTRIBUTE = "trawl-error";
	public static final String MESSAGE_ID_ATTRIBUTE = "trawl-message-id";
	private static final int MAX_REASON = 4000;

	private final SqsClient sqs;
	private final String dlqUrl;

	public DeadLetters(SqsClient sqs, String dlqUrl) {
		this.sqs = sqs;
		this.dlqUrl = dlqUrl == null ? "" : dlqUrl.trim();
	}

	public boolean configured() {
		return !dlqUrl.isEmpty();
	}

	/**
	 * Sends a copy of the message with the reason to the DLQ. The caller deletes the original only when this
	 * returns true; otherwise the queue's redrive policy still gets it there.
	 */
	public boolean send(Message message, String reason) {
		if (!configured()) {
			return false;
		}
		String attribute = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON - 1) + "…" : reason;
		try {
			sqs.sendMessage(b -> b.queueUrl(dlqUrl)
				.messageBody(message.body() == null || message.body().isEmpty() ? "(empty)" : message.body())
				.messageAttributes(Map.of(ERROR_ATTRIBUTE, text(attribute), MESSAGE_ID_ATTRIBUTE,
						text(message.messageId()))));
			return true;
		}
		catch (SdkException e) {
			return false;
		}
	}

	public String url() {
		return dlqUrl;
	}

	private static MessageAttributeValue text(String value) {
		return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
	}
}
