package io.trawl.jobs.launch;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.rescan.RescanLauncher;

/**
 * A request to launch a job, sent as the body of a message on the launch queue ({@code TRAWL_LAUNCH_QUEUE_URL}).
 * Version 1 of the format is a JSON object:
 * <pre>
 * {"version": 1, "type": "scan", "requestId": "upload-2026-11-25-17",
 *  "source": "s3://trawl-samples/incoming/", "rules": "s3://trawl-samples/rules/default.yar"}
 * </pre>
 * Any other field is refused (so a misspelt {@code "rule"} is not silently ignored). A message that is not valid is
 * moved to the dead-letter queue with the reason; see docs/aws-local.md.
 * @param version the format version: 1, the default when absent
 * @param type {@code scan} (new samples) or {@code rescan} (samples again, with new rules); both run
 *     {@code rescanJob}
 * @param requestId the sender's id for this request, up to 256 printable characters: an identifying job parameter,
 *     so the same message delivered twice starts one job; the same id with another source or rules is refused, and
 *     {@code nightly-*} ids belong to the schedule
 * @param source the samples, {@code s3://bucket/prefix}, under {@code trawl.sources.allowed} (as are the rules)
 * @param rules optional YARA rules, one object {@code s3://bucket/rules.yar} or every {@code .yar}/{@code .yara}
 *     under a prefix; absent means the rules configured as {@code trawl.rules}
 * @param scheduledFor optional ISO date ({@code 2026-11-25}) naming a scheduled run, also identifying
 * @param full optional, false when absent: {@code true} analyses every sample again instead of redoing only what
 *     changed since the source's last rescan
 */
public record LaunchMessage(int version, String type, String requestId, String source, String rules,
		String scheduledFor, boolean full) {

	/** A message without {@code full}: an incremental rescan. */
	public LaunchMessage(int version, String type, String requestId, String source, String rules,
			String scheduledFor) {
		this(version, type, requestId, source, rules, scheduledFor, false);
	}

	public static final int VERSION = 1;
	static final Set<String> TYPES = Set.of("scan", "rescan");
	static final Set<String> FIELDS = Set.of("version", "type", "requestId", "source", "rules", "scheduledFor",
			"full");
	static final int MAX_REQUEST_ID = 256;

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final String EXAMPLE = "{\"version\":1,\"type\":\"scan\",\"requestId\":\"...\","
			+ "\"source\":\"s3://bucket/prefix\",\"rules\":\"s3://bucket/rules.yar\"}";

	/**
	 * Reads and checks a message body.
	 * @throws InvalidLaunchMessageException naming what is wrong and how to fix it
	 */
	public static LaunchMessage parse(String body) {
		JsonNode root;
		try {
			root = JSON.readTree(body == null ? "" : body);
		}
		catch (JacksonException e) {
			throw new InvalidLaunchMessageException("The launch message is not valid JSON (" + firstLine(e)
					+ "); send a JSON object such as " + EXAMPLE + ".");
		}
		if (root == null || !root.isObject()) {
			throw new InvalidLaunchMessageException("The launch message is not a JSON object; send one such as "
					+ EXAMPLE + ".");
		}
		for (String name : root.propertyNames()) {
			if (!FIELDS.contains(name)) {
				throw new InvalidLaunchMessageException("The launch message has an unknown field '" + name
						+ "'; version 1 has only " + String.join(", ", FIELDS.stream().sorted().toList()) + ".");
			}
		}
		int version = VERSION;
		if (root.has("version")) {
			JsonNode v = root.get("version");
			if (!v.isIntegralNumber()) {
				throw new InvalidLaunchMessageException("The launch message's version must be the number 1, not "
						+ v + ".");
			}
			version = v.asInt();
			if (version != VERSION) {
				throw new InvalidLaunchMessageException("The launch message has version " + version
						+ ", but this Trawl reads version 1; send version 1 or upgrade Trawl.");
			}
		}
		String type = text(root, "type", true);
		if (!TYPES.contains(type)) {
			throw new InvalidLaunchMessageException("The launch message's type '" + type
					+ "' is unknown; use \"scan\" or \"rescan\".");
		}
		String requestId = text(root, "requestId", true);
		if (requestId.length() > MAX_REQUEST_ID || !requestId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
			throw new InvalidLaunchMessageException("The launch message's requestId must be 1 to " + MAX_REQUEST_ID
					+ " printable ASCII characters without spaces.");
		}
		String source = text(root, "source", true);
		if (!source.startsWith("s3://")) {
			throw new InvalidLaunchMessageException("The launch message's source '" + source
					+ "' is not an S3 location; write it as s3://bucket/prefix.");
		}
		String rules = text(root, "rules", false);
		if (rules != null && !rules.startsWith("s3://")) {
			throw new InvalidLaunchMessageException("The launch message's rules '" + rules
					+ "' are not an S3 location; write s3://bucket/rules.yar or s3://bucket/prefix/, or leave rules out.");
		}
		String scheduledFor = text(root, "scheduledFor", false);
		if (scheduledFor != null) {
			try {
				LocalDate.parse(scheduledFor);
			}
			catch (DateTimeParseException e) {
				throw new InvalidLaunchMessageException("The launch message's scheduledFor '" + scheduledFor
						+ "' is not a date; write it as 2026-11-25.");
			}
		}
		JsonNode full = root.get("full");
		if (full != null && !full.isNull() && !full.isBoolean()) {
			throw new InvalidLaunchMessageException("The launch message's full must be true or false, not " + full
					+ ".");
		}
		return new LaunchMessage(version, type, requestId, source, rules, scheduledFor,
				full != null && full.asBoolean());
	}

	/** The launcher's request for this message. */
	public RescanLauncher.Request request() {
		return new RescanLauncher.Request(source, rules, requestId, scheduledFor, RescanLauncher.Origin.SQS, null,
				full);
	}

	/** This message as its JSON body. */
	public String toJson() {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("version", version);
		fields.put("type", type);
		fields.put("requestId", requestId);
		fields.put("source", source);
		if (rules != null) {
			fields.put("rules", rules);
		}
		if (scheduledFor != null) {
			fields.put("scheduledFor", scheduledFor);
		}
		if (full) {
			fields.put("full", true);
		}
		return JSON.writeValueAsString(fields);
	}

	private static String text(JsonNode root, String name, boolean required) {
		JsonNode node = root.get(name);
		if (node == null || node.isNull()) {
			if (required) {
				throw new InvalidLaunchMessageException("The launch message has no " + name + "; add it, as in "
						+ EXAMPLE + ".");
			}
			return null;
		}
		if (!node.isString() || node.asString().isBlank()) {
			throw new InvalidLaunchMessageException("The launch message's " + name + " must be a non-empty string, not "
					+ node + ".");
		}
		return node.asString().trim();
	}

	private static String firstLine(JacksonException e) {
		String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
		int newline = message.indexOf('\n');
		String first = newline < 0 ? message : message.substring(0, newline);
		return e.getLocation() == null ? first
				: first + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
	}

	/** The message cannot be launched as it is; sending it again will not help. */
	public static class InvalidLaunchMessageException extends IllegalArgumentException {
		public InvalidLaunchMessageException(String message) {
			super(message);
		}
	}
}
