package io.trawl.jobs.security;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

/**
 * {@code trawl.security.*}: who may call the service (config/application.yml).
 *
 * @param oidc bearer tokens from an OpenID Connect issuer, beside API keys
 */
@Validated
@ConfigurationProperties("trawl.security")
record SecurityProperties(@Valid @DefaultValue Oidc oidc) {

	/**
	 * @param issuerUri the issuer whose signed JWTs are accepted (its discovery document names the keys); blank: no
	 * bearer tokens, API keys only
	 * @param audience when set, a token must name it in {@code aud}, or, for Cognito access tokens, which carry no
	 * {@code aud}, in {@code client_id}
	 * @param groupsClaim the claim that lists the caller's groups
	 * @param groups group name to role; groups not listed give no role. Empty: the defaults below
	 * @param clockSkew how far a token's expiry may lie in the past, for clocks that differ a little
	 */
	record Oidc(@DefaultValue("") String issuerUri, @DefaultValue("") String audience,
			@NotBlank @DefaultValue("cognito:groups") String groupsClaim, Map<String, Role> groups,
			@DefaultValue("60s") Duration clockSkew) {

		boolean enabled() {
			return issuerUri != null && !issuerUri.isBlank();
		}

		/** The group-to-role map, keyed in lower case; by default {@code viewer}, {@code trawl-viewer} and so on. */
		Map<String, Role> roleOfGroup() {
			Map<String, Role> map = new LinkedHashMap<>();
			if (groups == null || groups.isEmpty()) {
				for (Role role : Role.values()) {
					map.put(role.label(), role);
					map.put("trawl-" + role.label(), role);
				}
			}
			else {
				groups.forEach((group, role) -> map.put(group.toLowerCase(Locale.ROOT), role));
			}
			return map;
		}
	}
}
