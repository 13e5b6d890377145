package io.trawl.jobs.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** A bearer token's roles, from the groups in its configured claim; its principal name is its {@code sub}. */
final class JwtRoles implements Converter<Jwt, AbstractAuthenticationToken> {

	private final String claim;
	private final Map<String, Role> roleOfGroup;

	JwtRoles(String claim, Map<String, Role> roleOfGroup) {
		this.claim = claim;
		this.roleOfGroup = roleOfGroup;
	}

	@Override
	public AbstractAuthenticationToken convert(Jwt jwt) {
		Set<GrantedAuthority> authorities = new LinkedHashSet<>();
		for (String group : groups(jwt.getClaims().get(claim))) {
			Role role = roleOfGroup.get(group.toLowerCase(Locale.ROOT));
			if (role != null) {
				authorities.add(new SimpleGrantedAuthority(role.authority()));
			}
		}
		return new JwtAuthenticationToken(jwt, authorities, jwt.getSubject());
	}

	String claim() {
		return claim;
	}

	/** A list claim (Cognito's groups), or one string of groups separated by spaces or commas. */
	private static List<String> groups(Object value) {
		if (value instanceof Collection<?> values) {
			return values.stream().map(String::valueOf).toList();
		}
		if (value instanceof String text && !text.isBlank()) {
			return List.of(text.trim().split("[\\s,]+"));
		}
		return List.of();
	}
}
