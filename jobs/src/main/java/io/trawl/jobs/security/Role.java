package io.trawl.jobs.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a caller may do: a viewer reads, an operator also launches and stops jobs, an admin also manages keys. */
public enum Role {

	VIEWER, OPERATOR, ADMIN;

	/** The Spring Security authority, {@code ROLE_VIEWER} and so on; the hierarchy admin > operator > viewer. */
	public String authority() {
		return "ROLE_" + name();
	}

	/** The role's name as users type it: {@code viewer}, {@code operator}, {@code admin}. */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	/** Parses {@code viewer|operator|admin}; anything else is a user's mistake, said in one sentence. */
	public static Role of(String text) {
		if (text != null) {
			for (Role role : values()) {
				if (role.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
					return role;
				}
			}
		}
		throw new IllegalArgumentException("The role must be one of "
				+ Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", ")) + ", not "
				+ (text == null ? "nothing" : "'" + text + "'") + ".");
	}

	/** The role an authority stands for, or null. */
	static Role ofAuthority(String authority) {
		for (Role role : values()) {
			if (role.authority().equals(authority)) {
				return role;
			}
		}
		return null;
	}
}
