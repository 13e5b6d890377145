package io.trawl.jobs.queue;

import java.util.Map;
import java.util.concurrent.CompletionException;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Moves a message that will never be processed to a dead-letter queue at once, with the reason in its
 * {@value #ERROR_ATTRIBUTE} attribute, so nothing is dropped silently and nothing waits for maxReceiveCount. The
 * queue's own redrive policy cannot carry a reason, so {@link QueueConsumer} sends the copy itself, through this.
 */
public final class DeadLetters {

	public static final String ERROR_ATTRIBUTE = "trawl-error";
	public static final String MESSAGE_ID_ATTRIBUTE = "trawl-message-id";
	private static final int MAX_REASON = 4000;

	private final SqsAsyncClient sqs;
	private final String dlqUrl;

	DeadLetters(SqsAsyncClient sqs, String dlqUrl) {
		this.sqs = sqs;
		this.dlqUrl = dlqUrl == null ? "" : dlqUrl.trim();
	}

	boolean configured() {
		return !dlqUrl.isEmpty();
	}

	/**
	 * Sends a copy of the message with the reason to the DLQ, and waits for SQS to take it. The caller deletes the
	 * original only when this returns true; otherwise the queue's redrive policy still gets it there.
	 */
	boolean send(Message message, String reason) {
		if (!configured()) {
			return false;
		}
		String attribute = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON - 1) + "…" : reason;
		try {
			sqs.sendMessage(b -> b.queueUrl(dlqUrl)
				.messageBody(message.body() == null || message.body().isEmpty() ? "(empty)" : message.body())
				.messageAttributes(Map.of(ERROR_ATTRIBUTE, text(attribute), MESSAGE_ID_ATTRIBUTE,
						text(message.messageId()))))
				.join();
			return true;
		}
		catch (SdkException | CompletionException e) {
			return false;
		}
	}

	String url() {
		return dlqUrl;
	}

	private static MessageAttributeValue text(String value) {
		return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
	}
}
