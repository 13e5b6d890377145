package io.trawl.jobs.partition;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.batch.integration.partition.StepExecutionRequest;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of a partitions queue message: Spring Batch's {@link StepExecutionRequest} as JSON,
 * {@code {"stepName":"analyseWorkerStep","stepExecutionId":42}}. The job execution id rides along for people
 * reading the queue; workers take the job from the step execution.
 */
final class PartitionRequest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PartitionRequest() {
	}

	static String toJson(StepExecutionRequest request, Long jobExecutionId) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("stepName", request.getStepName());
		body.put("stepExecutionId", request.getStepExecutionId());
		if (jobExecutionId != null) {
			body.put("jobExecutionId", jobExecutionId);
		}
		return JSON.writeValueAsString(body);
	}

	/** Parses a message body, or says in one sentence why it is not a partition request. */
	static StepExecutionRequest parse(String body) throws InvalidPartitionRequestException {
		if (body == null || body.isBlank()) {
			throw new InvalidPartitionRequestException("The partition message is empty; expected "
					+ "{\"stepName\":...,\"stepExecutionId\":...}.");
		}
		JsonNode node;
		try {
			node = JSON.readTree(body);
		}
		catch (JacksonException e) {
			throw new InvalidPartitionRequestException("The partition message is not valid JSON ("
					+ e.getOriginalMessage() + "); expected {\"stepName\":...,\"stepExecutionId\":...}.");
		}
		if (node == null || !node.isObject()) {
			throw new InvalidPartitionRequestException("The partition message is not a JSON object; expected "
					+ "{\"stepName\":...,\"stepExecutionId\":...}.");
		}
		JsonNode stepName = node.get("stepName");
		if (stepName == null || !stepName.isString() || stepName.asString().isBlank()) {
			throw new InvalidPartitionRequestException("The partition message has no stepName.");
		}
		JsonNode id = node.get("stepExecutionId");
		if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() <= 0) {
			throw new InvalidPartitionRequestException("The partition message has no positive whole stepExecutionId.");
		}
		return new StepExecutionRequest(stepName.asString(), id.asLong());
	}

	static final class InvalidPartitionRequestException extends Exception {

		InvalidPartitionRequestException(String message) {
			super(message);
		}
	}
}
