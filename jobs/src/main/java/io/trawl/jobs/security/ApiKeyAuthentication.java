package io.trawl.jobs.security;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A caller that presented an {@code X-API-Key}: before checking, the key; after, the key's name and role. */
final class ApiKeyAuthentication extends AbstractAuthenticationToken {

	static final String HEADER = "X-API-Key";

	private final String name;
	private transient String key;

	private ApiKeyAuthentication(String key) {
		super(List.of());
		this.name = "";
		this.key = key;
	}

	private ApiKeyAuthentication(ApiKeys.ApiKey apiKey) {
		super(List.of(new SimpleGrantedAuthority(apiKey.role().authority())));
		this.name = apiKey.name();
		setAuthenticated(true);
	}

	static ApiKeyAuthentication unchecked(String key) {
		return new ApiKeyAuthentication(key);
	}

	@Override
	public Object getCredentials() {
		return key;
	}

	@Override
	public Object getPrincipal() {
		return name;
	}

	@Override
	public String getName() {
		return name;
	}

	@Override
	public void eraseCredentials() {
		key = null;
	}

	/** A key that is unknown or revoked. */
	static final class Rejected extends BadCredentialsException {

		Rejected() {
			super("The API key is unknown or has been revoked.");
		}
	}

	/** Checks a presented key against {@link ApiKeys}. */
	static final class Provider implements AuthenticationProvider {

		private final ApiKeys keys;

		Provider(ApiKeys keys) {
			this.keys = keys;
		}

		@Override
		public Authentication authenticate(Authentication authentication) {
			return keys.authenticate((String) authentication.getCredentials())
				.map(ApiKeyAuthentication::new)
				.orElseThrow(Rejected::new);
		}

		@Override
		public boolean supports(Class<?> authentication) {
			return ApiKeyAuthentication.class.isAssignableFrom(authentication);
		}
	}
}
