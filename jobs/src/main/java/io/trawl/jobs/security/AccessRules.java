package io.trawl.jobs.security;

import java.util.List;

import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Which role each request needs, first match wins. Anything not listed needs admin: a route someone adds later is
 * closed until it is given a role here.
 */
final class AccessRules {

	/** The ALB's checks: open to anyone, and without details for anonymous callers. */
	static final List<String> OPEN_HEALTH = List.of("/actuator/health", "/actuator/health/liveness",
			"/actuator/health/readiness");

	record Rule(RequestMatcher matcher, Role role) {
	}

	private static final PathPatternRequestMatcher.Builder PATHS = PathPatternRequestMatcher.withDefaults();

	static final List<Rule> RULES = List.of(new Rule(PATHS.matcher("/api/keys"), Role.ADMIN),
			new Rule(PATHS.matcher("/api/keys/**"), Role.ADMIN),
			new Rule(PATHS.matcher(HttpMethod.POST, "/api/jobs"), Role.OPERATOR),
			new Rule(PATHS.matcher(HttpMethod.POST, "/api/jobs/*/stop"), Role.OPERATOR),
			new Rule(PATHS.matcher(HttpMethod.GET, "/api/**"), Role.VIEWER),
			// read-only operations data (info, metrics, prometheus, health details): a scraper needs only a viewer key
			new Rule(PATHS.matcher(HttpMethod.GET, "/actuator/**"), Role.VIEWER),
			new Rule(PATHS.matcher(HttpMethod.GET, "/v3/api-docs"), Role.VIEWER),
			new Rule(PATHS.matcher(HttpMethod.GET, "/v3/api-docs/**"), Role.VIEWER),
			new Rule(PATHS.matcher(HttpMethod.GET, "/swagger-ui.html"), Role.VIEWER),
			new Rule(PATHS.matcher(HttpMethod.GET, "/swagger-ui/**"), Role.VIEWER),
			// the dashboard (DashboardSecurity): the same roles as the API's routes it stands for
			new Rule(PATHS.matcher(HttpMethod.POST, "/ui/jobs"), Role.OPERATOR),
			new Rule(PATHS.matcher(HttpMethod.POST, "/ui/jobs/*/stop"), Role.OPERATOR),
			new Rule(PATHS.matcher(HttpMethod.GET, "/"), Role.VIEWER),
			new Rule(PATHS.matcher(HttpMethod.GET, "/ui"), Role.VIEWER),
			new Rule(PATHS.matcher(HttpMethod.GET, "/ui/**"), Role.VIEWER));

	private AccessRules() {
	}

	/** The role a request needs: the first rule's that matches it, else admin. */
	static Role required(HttpServletRequest request) {
		for (Rule rule : RULES) {
			if (rule.matcher().matches(request)) {
				return rule.role();
			}
		}
		return Role.ADMIN;
	}
}
