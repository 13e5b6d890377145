package io.trawl.jobs.aws;

import java.io.IOException;
import java.net.URI;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Names the service, its endpoint and the operation when a call fails because the service could not be reached
 * after the SDK's retries (connection refused or reset, a timeout): a job failed by a DynamoDB or SQS outage then
 * says so in one sentence ({@code trawl status}, the manager's log) instead of an innermost "Connection refused".
 * The SDK's own exception is kept as a suppressed one, so the log's stack trace still has it whole.
 */
final class UnreachableService implements ExecutionInterceptor {

	@Override
	public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
		Throwable failure = context.exception();
		if (!(failure instanceof SdkClientException) || failure instanceof AwsServiceException || !io(failure)) {
			return failure;
		}
		String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
		String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
		URI endpoint = attributes.getAttribute(SdkExecutionAttribute.CLIENT_ENDPOINT);
		String message = failure.getMessage() == null ? "" : failure.getMessage()
			.replaceFirst("^Unable to execute HTTP request: ", "");
		SdkClientException named = SdkClientException.builder()
			.message(name(service) + (endpoint == null ? "" : " at " + endpoint) + " could not be reached ("
					+ operation + "): " + message)
			.build();
		named.addSuppressed(failure);
		return named;
	}

	private static boolean io(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (t instanceof IOException) {
				return true;
			}
		}
		return false;
	}

	private static String name(String service) {
		if (service == null) {
			return "An AWS service";
		}
		return switch (service.toLowerCase(java.util.Locale.ROOT)) {
			case "dynamodb" -> "DynamoDB";
			case "sqs" -> "SQS";
			case "s3" -> "S3";
			default -> service;
		};
	}
}
