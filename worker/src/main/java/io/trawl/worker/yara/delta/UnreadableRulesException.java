package io.trawl.worker.yara.delta;

/** The rules' source cannot be split into rules; the message is one sentence naming the file and line. */
public class UnreadableRulesException extends RuntimeException {

	public UnreadableRulesException(String message) {
		super(message);
	}
}
