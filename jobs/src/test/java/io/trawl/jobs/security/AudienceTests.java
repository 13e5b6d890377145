package io.trawl.jobs.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;

/** {@code trawl.security.oidc.audience}: the token's {@code aud}, or a Cognito access token's {@code client_id}. */
class AudienceTests {

	private final OAuth2TokenValidator<Jwt> audience = SecurityConfiguration.Web.audience("trawl-api");

	@Test
	void aTokenMeantForTrawlPasses() {
		assertThat(audience.validate(jwt(claims -> claims.audience(List.of("other", "trawl-api")))).hasErrors())
			.isFalse();
		assertThat(audience.validate(jwt(claims -> claims.claim("client_id", "trawl-api"))).hasErrors()).isFalse();
	}

	@Test
	void aTokenForAnotherAudienceFails() {
		assertThat(audience.validate(jwt(claims -> claims.audience(List.of("other")))).hasErrors()).isTrue();
		assertThat(audience.validate(jwt(claims -> claims.claim("client_id", "other"))).hasErrors()).isTrue();
		assertThat(audience.validate(jwt(claims -> claims.audience(List.of("other")).claim("client_id", "trawl-api")))
			.hasErrors()).as("an aud that names others wins over client_id").isTrue();
		assertThat(audience.validate(jwt(claims -> {
		})).hasErrors()).isTrue();
	}

	private static Jwt jwt(Consumer<Jwt.Builder> claims) {
		Jwt.Builder builder = Jwt.withTokenValue("t").header("alg", "RS256").subject("s").issuedAt(Instant.now());
		claims.accept(builder);
		return builder.build();
	}
}
