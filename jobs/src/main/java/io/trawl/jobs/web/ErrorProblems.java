package io.trawl.jobs.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The container's error page ({@code /error}), for errors that never reach a controller: a filter's
 * {@code sendError} (such as a refused credential), an exception thrown in a filter. The same problem shape as
 * {@link ApiProblems}, with a fixed sentence per status, never the exception's text.
 */
@RestController
class ErrorProblems implements ErrorController {

	private static final Logger log = LoggerFactory.getLogger(ErrorProblems.class);

	@RequestMapping("${server.error.path:${error.path:/error}}")
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = code instanceof Integer value && HttpStatus.resolve(value) != null
				? HttpStatus.valueOf(value) : HttpStatus.INTERNAL_SERVER_ERROR;
		if (status.is5xxServerError()
				&& request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable e) {
			log.error("{} failed", request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), e);
		}
		String detail = switch (status) {
			case UNAUTHORIZED -> "This request needs credentials: an X-API-Key header or a bearer token.";
			case FORBIDDEN -> "The credentials given may not do this.";
			case NOT_FOUND -> "There is nothing at this address.";
			case METHOD_NOT_ALLOWED -> "This address does not take that method.";
			case CONTENT_TOO_LARGE -> "The request body is too large.";
			default -> status.is5xxServerError() ? ApiProblems.INTERNAL : "The request is not valid.";
		};
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(ProblemDetail.forStatusAndDetail(status, detail));
	}
}
