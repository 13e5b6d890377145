package io.trawl.jobs.web;

import java.net.URI;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import io.trawl.jobs.problem.ClientErrors;
import io.trawl.jobs.problem.LaunchRefusedException;

/**
 * Every error of the API as one RFC 9457 problem: the caller's mistakes with their status and one sentence, anything
 * else as a 500 whose detail says nothing of the server (the trace goes to the log). Spring MVC's own errors (404,
 * 405, 415, unreadable JSON) come through {@link ResponseEntityExceptionHandler}.
 */
@RestControllerAdvice
class ApiProblems extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);
	static final String INTERNAL = "The server could not handle this request; its log has the details.";

	@ExceptionHandler(Exception.class)
	ResponseEntity<Object> anyOther(Exception e, WebRequest request) {
		var kind = ClientErrors.classify(e);
		if (kind.isEmpty()) {
			log.error("{} failed", request.getDescription(false), e);
			return problem(HttpStatus.INTERNAL_SERVER_ERROR, INTERNAL, new HttpHeaders());
		}
		HttpHeaders headers = new HttpHeaders();
		if (e instanceof LaunchRefusedException refused && refused.retryAfter() != null) {
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, refused.retryAfter().toSeconds())));
		}
		return problem(HttpStatus.valueOf(kind.get().status()), ClientErrors.message(e).orElseThrow(), headers);
	}

	@ExceptionHandler(BodyLimit.TooLargeException.class)
	ResponseEntity<Object> tooLarge(BodyLimit.TooLargeException e) {
		return problem(HttpStatus.CONTENT_TOO_LARGE, e.getMessage(), new HttpHeaders());
	}

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		// names the fields and the rule, never the rejected value (which may be megabytes or forge log lines)
		return notValid(ex.getBindingResult().getFieldErrors().stream()
			.map(f -> f.getField() + " " + f.getDefaultMessage()), headers);
	}

	@Override
	protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		return notValid(ex.getParameterValidationResults().stream()
			.flatMap(r -> r.getResolvableErrors().stream()
				.map(error -> r.getMethodParameter().getParameterName() + " " + error.getDefaultMessage())), headers);
	}

	/** One sentence naming each field or parameter and its rule, in a stable order. */
	private ResponseEntity<Object> notValid(Stream<String> violations, HttpHeaders headers) {
		return problem(HttpStatus.BAD_REQUEST,
				violations.sorted().collect(Collectors.joining("; ", "The request is not valid: ", ".")), headers);
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (t instanceof BodyLimit.TooLargeException tooLarge) {
				return problem(HttpStatus.CONTENT_TOO_LARGE, tooLarge.getMessage(), headers);
			}
		}
		return problem(HttpStatus.BAD_REQUEST, "The request body is not a valid JSON object of the expected fields "
				+ "and types; send {\"source\": \"...\", \"rules\": \"...\", \"requestId\": \"...\"}.", headers);
	}

	/** Spring MVC's own problems: kept, with the detail bounded and stripped of anything that names a Java type. */
	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		if (statusCode.is5xxServerError()) {
			log.error("{} failed", request.getDescription(false), ex);
		}
		ProblemDetail problem = body instanceof ProblemDetail given ? given
				: ProblemDetail.forStatusAndDetail(statusCode,
						HttpStatus.valueOf(statusCode.value()).getReasonPhrase());
		problem.setDetail(statusCode.is5xxServerError() ? INTERNAL : safe(problem.getDetail()));
		problem.setType(URI.create("about:blank"));
		return super.handleExceptionInternal(ex, problem, headers, statusCode, request);
	}

	private static String safe(String detail) {
		if (detail == null) {
			return null;
		}
		// Spring's details can quote a Java type ("Failed to convert value of type 'java.lang.String'...")
		String cleaned = detail.replaceAll("'?(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*'?", "a value");
		return ClientErrors.oneLine(cleaned, 300);
	}

	private static ResponseEntity<Object> problem(HttpStatus status, String detail, HttpHeaders headers) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, ClientErrors.oneLine(detail, 1000));
		return ResponseEntity.status(status).headers(headers).contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem);
	}
}
