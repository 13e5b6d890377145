package io.trawl.jobs.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

import jakarta.servlet.DispatcherType;

/**
 * Who may call the service: API keys ({@code X-API-Key}) and, when an issuer is configured, OIDC bearer tokens.
 * Stateless (no session, no cookie, so no CSRF), deny by default; {@link AccessRules} says which role each route
 * needs, with admin > operator > viewer.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	@Bean
	ApiKeys apiKeys(DataSource dataSource) {
		return new JdbcApiKeys(dataSource);
	}

	/** Also keeps Spring Boot from creating its default user with a generated password. */
	@Bean
	ApiKeyAuthentication.Provider apiKeyAuthenticationProvider(ApiKeys keys) {
		return new ApiKeyAuthentication.Provider(keys);
	}

	@Bean
	static RoleHierarchy roleHierarchy() {
		return RoleHierarchyImpl.withDefaultRolePrefix()
			.role(Role.ADMIN.name())
			.implies(Role.OPERATOR.name())
			.role(Role.OPERATOR.name())
			.implies(Role.VIEWER.name())
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class Web {

		@Bean
		SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeyAuthentication.Provider apiKeys,
				SecurityProperties properties) throws Exception {
			SecurityProperties.Oidc oidc = properties.oidc();
			Problems problems = new Problems(oidc.enabled(), oidc.groupsClaim());
			RequestAttributeSecurityContextRepository contexts = new RequestAttributeSecurityContextRepository();

			AuthenticationFilter keyFilter = new AuthenticationFilter(new ProviderManager(apiKeys), request -> {
				String key = request.getHeader(ApiKeyAuthentication.HEADER);
				return key == null ? null : ApiKeyAuthentication.unchecked(key.trim());
			});
			keyFilter.setSuccessHandler((request, response, authentication) -> {
				// go on to the route; AuthenticationFilter continues the chain after this
			});
			keyFilter.setFailureHandler(new AuthenticationEntryPointFailureHandler(problems));
			keyFilter.setSecurityContextRepository(contexts);

			http.csrf(csrf -> csrf.disable())
				.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.securityContext(context -> context.securityContextRepository(contexts))
				.requestCache(cache -> cache.disable())
				.httpBasic(basic -> basic.disable())
				.formLogin(form -> form.disable())
				.logout(logout -> logout.disable())
				.addFilterBefore(keyFilter, AnonymousAuthenticationFilter.class)
				.exceptionHandling(
						handling -> handling.authenticationEntryPoint(problems).accessDeniedHandler(problems))
				.authorizeHttpRequests(requests -> {
					// an error or async dispatch follows a request that was already authorized
					requests.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll();
					String[] health = AccessRules.OPEN_HEALTH.toArray(String[]::new);
					requests.requestMatchers(HttpMethod.GET, health).permitAll();
					requests.requestMatchers(HttpMethod.HEAD, health).permitAll();
					for (AccessRules.Rule rule : AccessRules.RULES) {
						requests.requestMatchers(rule.matcher()).hasRole(rule.role().name());
					}
					requests.anyRequest().hasRole(Role.ADMIN.name());
				});
			if (oidc.enabled()) {
				http.oauth2ResourceServer(server -> server
					.jwt(jwt -> jwt.decoder(decoder(oidc))
						.jwtAuthenticationConverter(new JwtRoles(oidc.groupsClaim(), oidc.roleOfGroup())))
					.authenticationEntryPoint(problems)
					.accessDeniedHandler(problems));
			}
			return http.build();
		}

		/** Discovers the issuer's keys on first use, so the service starts while the issuer is unreachable. */
		private static JwtDecoder decoder(SecurityProperties.Oidc oidc) {
			return new SupplierJwtDecoder(() -> {
				NimbusJwtDecoder decoder = JwtDecoders.fromIssuerLocation(oidc.issuerUri());
				List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
				validators.add(new JwtTimestampValidator(oidc.clockSkew()));
				validators.add(new JwtIssuerValidator(oidc.issuerUri()));
				if (!oidc.audience().isBlank()) {
					validators.add(audience(oidc.audience()));
				}
				decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(validators));
				return decoder;
			});
		}

		/** {@code aud} names the audience, or, for a Cognito access token (no {@code aud}), {@code client_id} is it. */
		static OAuth2TokenValidator<Jwt> audience(String audience) {
			return jwt -> {
				Collection<String> aud = jwt.getAudience();
				boolean ok = aud != null && aud.contains(audience)
						|| (aud == null || aud.isEmpty()) && audience.equals(jwt.getClaimAsString("client_id"));
				return ok ? OAuth2TokenValidatorResult.success()
						: OAuth2TokenValidatorResult.failure(
								new OAuth2Error("invalid_token", "The token is not meant for this service.", null));
			};
		}
	}
}
