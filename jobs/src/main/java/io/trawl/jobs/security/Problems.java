package io.trawl.jobs.security;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * 401 and 403 as RFC 9457 problem details: one sentence that says what to do, a {@code WWW-Authenticate} challenge,
 * and nothing from inside the server (no exception text, no type names).
 */
final class Problems implements AuthenticationEntryPoint, AccessDeniedHandler {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final String REALM = "realm=\"trawl\"";

	private final boolean bearerTokens;
	private final String groupsClaim;

	Problems(boolean bearerTokens, String groupsClaim) {
		this.bearerTokens = bearerTokens;
		this.groupsClaim = groupsClaim;
	}

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
			throws IOException {
		String detail;
		if (e instanceof ApiKeyAuthentication.Rejected) {
			detail = "The API key in the X-API-Key header is unknown or has been revoked; ask an admin for a valid"
					+ " key.";
			response.addHeader("WWW-Authenticate", "ApiKey " + REALM + ", error=\"invalid_key\"");
		}
		else if (e instanceof OAuth2AuthenticationException) {
			detail = "The bearer token is invalid, expired, or from an issuer this service does not trust; get a new"
					+ " token from the configured issuer.";
			response.addHeader("WWW-Authenticate", "Bearer " + REALM + ", error=\"invalid_token\"");
		}
		else {
			detail = bearerTokens
					? "This request needs credentials: an API key in the X-API-Key header or a bearer token."
					: "This request needs credentials: an API key in the X-API-Key header.";
			response.addHeader("WWW-Authenticate", "ApiKey " + REALM + ", header=\"" + ApiKeyAuthentication.HEADER
					+ "\"");
			if (bearerTokens) {
				response.addHeader("WWW-Authenticate", "Bearer " + REALM);
			}
		}
		write(request, response, 401, "Unauthorized", detail);
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
			throws IOException {
		Authentication caller = SecurityContextHolder.getContext().getAuthentication();
		Role needed = AccessRules.required(request);
		Role has = highest(caller == null ? List.of() : caller.getAuthorities());
		String detail;
		if (has == null && caller instanceof JwtAuthenticationToken) {
			detail = "This request needs the " + needed.label() + " role, and no group in the token's '" + groupsClaim
					+ "' claim maps to a Trawl role.";
		}
		else {
			detail = "This request needs the " + needed.label() + " role; the caller has "
					+ (has == null ? "no role" : "the " + has.label() + " role") + ".";
		}
		response.addHeader("WWW-Authenticate", caller instanceof JwtAuthenticationToken
				? "Bearer " + REALM + ", error=\"insufficient_scope\""
				: "ApiKey " + REALM + ", error=\"insufficient_role\"");
		write(request, response, 403, "Forbidden", detail);
	}

	private static Role highest(Collection<? extends GrantedAuthority> authorities) {
		Role best = null;
		for (GrantedAuthority authority : authorities) {
			Role role = Role.ofAuthority(authority.getAuthority());
			if (role != null && (best == null || role.compareTo(best) > 0)) {
				best = role;
			}
		}
		return best;
	}

	static void write(HttpServletRequest request, HttpServletResponse response, int status, String title,
			String detail) throws IOException {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "about:blank");
		problem.put("title", title);
		problem.put("status", status);
		problem.put("detail", detail);
		String path = request.getRequestURI();
		problem.put("instance", path.length() > 300 ? path.substring(0, 300) : path);
		response.setStatus(status);
		response.setContentType("application/problem+json");
		response.setCharacterEncoding("UTF-8");
		response.getWriter().write(JSON.writeValueAsString(problem));
	}
}
