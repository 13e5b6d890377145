package io.trawl.jobs.security;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.core.Authentication;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.trawl.jobs.audit.AuditLog;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** API keys for admins: list, create (the key is in the answer, once), revoke. */
@RestController
@RequestMapping("/api/keys")
class ApiKeysController {

	private final ApiKeys keys;

	ApiKeysController(ApiKeys keys) {
		this.keys = keys;
	}

	/** A key to create: {@code {"name": "ci", "role": "operator"}}. */
	record NewKey(
			@NotNull(message = "name is required") @Pattern(regexp = "[A-Za-z0-9._-]{1,64}",
					message = "name must be 1 to 64 letters, digits, '.', '_' or '-'") String name,
			@NotNull(message = "role is required") @Pattern(regexp = "viewer|operator|admin",
					message = "role must be viewer, operator or admin") String role) {
	}

	/** A key as listed: never the key nor its hash. */
	record KeyView(String name, String role, Instant created, Instant revoked) {

		static KeyView of(ApiKeys.ApiKey key) {
			return new KeyView(key.name(), key.role().label(), key.created(), key.revoked());
		}
	}

	@GetMapping
	List<KeyView> list() {
		return keys.list().stream().map(KeyView::of).toList();
	}

	@PostMapping
	ResponseEntity<Map<String, Object>> create(@Valid @RequestBody NewKey request, Authentication caller) {
		ApiKeys.IssuedKey issued = keys.create(request.name(), Role.of(request.role()));
		AuditLog.record("api-key.create", caller.getName(), details(issued.key().name(), issued.key().role()));
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", issued.key().name());
		body.put("role", issued.key().role().label());
		body.put("created", issued.key().created());
		body.put("key", issued.secret());
		return ResponseEntity.created(URI.create("/api/keys/" + issued.key().name())).body(body);
	}

	@DeleteMapping("/{name}")
	ResponseEntity<Void> revoke(@PathVariable String name, Authentication caller) {
		ApiKeys.Revocation revocation = keys.revoke(name);
		if (revocation == ApiKeys.Revocation.UNKNOWN) {
			throw new UnknownKeyException(name);
		}
		if (revocation == ApiKeys.Revocation.REVOKED) {
			AuditLog.record("api-key.revoke", caller.getName(), Map.of("name", name));
		}
		return ResponseEntity.noContent().build();
	}

	static Map<String, Object> details(String name, Role role) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("name", name);
		details.put("role", role.label());
		return details;
	}

	@ExceptionHandler(MethodArgumentNotValidException.class)
	ProblemDetail invalid(MethodArgumentNotValidException e) {
		FieldError field = e.getBindingResult().getFieldError();
		return problem(HttpStatus.BAD_REQUEST,
				(field == null ? "The request body is invalid" : field.getDefaultMessage()) + ".");
	}

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ProblemDetail unreadable() {
		return problem(HttpStatus.BAD_REQUEST,
				"The request body must be a JSON object like {\"name\": \"ci\", \"role\": \"operator\"}.");
	}

	@ExceptionHandler(ApiKeys.NameTakenException.class)
	ProblemDetail taken(ApiKeys.NameTakenException e) {
		return problem(HttpStatus.CONFLICT, e.getMessage());
	}

	@ExceptionHandler(UnknownKeyException.class)
	ProblemDetail unknown(UnknownKeyException e) {
		return problem(HttpStatus.NOT_FOUND, e.getMessage());
	}

	private static ProblemDetail problem(HttpStatus status, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create("about:blank"));
		return problem;
	}

	static final class UnknownKeyException extends RuntimeException {

		UnknownKeyException(String name) {
			super(ApiKeys.NAME.matcher(name).matches() ? "There is no API key named '" + name + "'."
					: "There is no API key with that name: names are 1 to 64 letters, digits, '.', '_' or '-'.");
		}
	}
}
