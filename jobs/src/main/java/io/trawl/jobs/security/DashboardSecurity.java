package io.trawl.jobs.security;

import java.io.IOException;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.DelegatingAuthenticationEntryPoint;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestHeaderRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.accept.HeaderContentNegotiationStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/**
 * The dashboard's pages (io.trawl.jobs.ui): a login form that takes an API key and opens a server session (the cookie
 * is HttpOnly, SameSite=Strict and Secure, see {@code server.servlet.session.cookie} in application.yml), CSRF tokens
 * on every form, and the same roles as the API ({@link AccessRules}). An {@code X-API-Key} header works here too, as
 * on the API, without a session. A browser that is not logged in is sent to the login form; any other caller gets
 * the API's 401 problem.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class DashboardSecurity {

	static final String LOGIN = "/login";

	private static final PathPatternRequestMatcher.Builder PATHS = PathPatternRequestMatcher.withDefaults();

	/** What this chain answers; everything else goes to the API's chain. */
	static final RequestMatcher PAGES = new OrRequestMatcher(PATHS.matcher("/"), PATHS.matcher("/ui"),
			PATHS.matcher("/ui/**"), PATHS.matcher(LOGIN), PATHS.matcher("/logout"), PATHS.matcher("/webjars/**"));

	/** Open to anyone: the login form and the style sheet, scripts and libraries it loads (no data in them). */
	private static final RequestMatcher OPEN = new OrRequestMatcher(PATHS.matcher(LOGIN),
			PATHS.matcher("/ui/assets/**"), PATHS.matcher(HttpMethod.GET, "/webjars/**"));

	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE + 10)
	SecurityFilterChain dashboardFilterChain(HttpSecurity http, ApiKeyAuthentication.Provider apiKeys, ApiKeys keys,
			SecurityProperties properties) throws Exception {
		SecurityProperties.Oidc oidc = properties.oidc();
		Problems problems = new Problems(oidc.enabled(), oidc.groupsClaim());

		MediaTypeRequestMatcher browsers = new MediaTypeRequestMatcher(new HeaderContentNegotiationStrategy(),
				MediaType.TEXT_HTML);
		browsers.setIgnoredMediaTypes(java.util.Set.of(MediaType.ALL));
		java.util.LinkedHashMap<RequestMatcher, AuthenticationEntryPoint> entryPoints = new java.util.LinkedHashMap<>();
		// htmx's refresh of a page whose session has ended: the whole page goes to the login form, not the fragment
		entryPoints.put(new RequestHeaderRequestMatcher("HX-Request", "true"), (request, response, e) -> {
			response.setHeader("HX-Redirect", request.getContextPath() + LOGIN);
			response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
		});
		entryPoints.put(browsers, new LoginUrlAuthenticationEntryPoint(LOGIN));
		DelegatingAuthenticationEntryPoint entryPoint = new DelegatingAuthenticationEntryPoint(entryPoints);
		entryPoint.setDefaultEntryPoint(problems);

		AuthenticationFilter keyFilter = new AuthenticationFilter(new ProviderManager(apiKeys), request -> {
			String key = request.getHeader(ApiKeyAuthentication.HEADER);
			return key == null ? null : ApiKeyAuthentication.unchecked(key.trim());
		});
		keyFilter.setSuccessHandler((request, response, authentication) -> {
		});
		keyFilter.setFailureHandler(new AuthenticationEntryPointFailureHandler(problems));
		keyFilter.setSecurityContextRepository(new RequestAttributeSecurityContextRepository());

		http.securityMatcher(PAGES)
			// a caller with an X-API-Key header is no browser riding on a cookie: no CSRF token to ask of it
			.csrf(csrf -> csrf.csrfTokenRepository(sessionTokensForBrowsers())
				.ignoringRequestMatchers(request -> request.getHeader(ApiKeyAuthentication.HEADER) != null))
			.requestCache(cache -> cache.disable())
			.httpBasic(basic -> basic.disable())
			.authenticationManager(new ProviderManager(loginWithKey(apiKeys)))
			.formLogin(form -> form.loginPage(LOGIN)
				.passwordParameter("apiKey")
				.defaultSuccessUrl("/ui/jobs", true)
				.failureUrl(LOGIN + "?error")
				.permitAll())
			.logout(logout -> logout.logoutUrl("/logout").logoutSuccessUrl(LOGIN + "?logout"))
			.addFilterBefore(keyFilter, AnonymousAuthenticationFilter.class)
			.addFilterAfter(new RevokedKeySessions(keys), AnonymousAuthenticationFilter.class)
			.headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(
					"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
							+ "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")))
			.exceptionHandling(handling -> handling.authenticationEntryPoint(entryPoint)
				.accessDeniedHandler(denied(entryPoint, problems)))
			.authorizeHttpRequests(requests -> {
				requests.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll();
				requests.requestMatchers(OPEN).permitAll();
				for (AccessRules.Rule rule : AccessRules.RULES) {
					requests.requestMatchers(rule.matcher()).hasRole(rule.role().name());
				}
				requests.anyRequest().hasRole(Role.ADMIN.name());
			});
		return http.build();
	}

	/** Tokens kept in the session, except for a caller with a key header: a script's page views open no session. */
	private static CsrfTokenRepository sessionTokensForBrowsers() {
		HttpSessionCsrfTokenRepository sessions = new HttpSessionCsrfTokenRepository();
		return new CsrfTokenRepository() {
			@Override
			public CsrfToken generateToken(HttpServletRequest request) {
				return sessions.generateToken(request);
			}

			@Override
			public void saveToken(CsrfToken token, HttpServletRequest request, HttpServletResponse response) {
				if (request.getHeader(ApiKeyAuthentication.HEADER) == null) {
					sessions.saveToken(token, request, response);
				}
			}

			@Override
			public CsrfToken loadToken(HttpServletRequest request) {
				return sessions.loadToken(request);
			}
		};
	}

	/** The login form's field is the API key; the user name is not asked for (the key has its own name). */
	private static AuthenticationProvider loginWithKey(ApiKeyAuthentication.Provider apiKeys) {
		return new AuthenticationProvider() {
			@Override
			public Authentication authenticate(Authentication login) {
				Object key = login.getCredentials();
				return apiKeys.authenticate(ApiKeyAuthentication.unchecked(key == null ? "" : key.toString().trim()));
			}

			@Override
			public boolean supports(Class<?> authentication) {
				return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
			}
		};
	}

	/**
	 * A form without a valid CSRF token is refused with a 403 problem, unless the caller is not logged in at all:
	 * then the answer is the same as for any page (the login form, or a 401 problem).
	 */
	private static AccessDeniedHandler denied(AuthenticationEntryPoint entryPoint, Problems problems) {
		return (request, response, e) -> {
			Authentication caller = SecurityContextHolder.getContext().getAuthentication();
			if (caller == null || caller instanceof AnonymousAuthenticationToken) {
				entryPoint.commence(request, response,
						new InsufficientAuthenticationException("The request needs credentials."));
			}
			else if (e instanceof CsrfException) {
				response.addHeader("WWW-Authenticate", "ApiKey realm=\"trawl\", error=\"invalid_csrf_token\"");
				Problems.write(request, response, 403, "Forbidden",
						"The form has expired or did not come from this dashboard; reload the page and try again.");
			}
			else {
				problems.handle(request, response, e);
			}
		};
	}

	/** A session opened with a key that has since been revoked ends at its next request, as the key does on the API. */
	static final class RevokedKeySessions extends OncePerRequestFilter {

		private final ApiKeys keys;

		RevokedKeySessions(ApiKeys keys) {
			this.keys = keys;
		}

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			HttpSession session = request.getSession(false);
			Authentication caller = SecurityContextHolder.getContext().getAuthentication();
			if (session != null && caller instanceof ApiKeyAuthentication key
					&& request.getHeader(ApiKeyAuthentication.HEADER) == null && !active(key.getName())) {
				session.invalidate();
				SecurityContextHolder.clearContext();
				SecurityContextHolder.getContext()
					.setAuthentication(new AnonymousAuthenticationToken("revoked", "anonymousUser",
							java.util.List.of(new org.springframework.security.core.authority.SimpleGrantedAuthority(
									"ROLE_ANONYMOUS"))));
			}
			chain.doFilter(request, response);
		}

		private boolean active(String name) {
			return keys.list().stream().anyMatch(key -> key.name().equals(name) && key.revoked() == null);
		}
	}
}
