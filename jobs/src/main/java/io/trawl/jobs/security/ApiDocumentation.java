package io.trawl.jobs.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * The OpenAPI description at {@code /v3/api-docs} (springdoc; its UI at {@code /swagger-ui.html}), with the two ways
 * to authenticate, so that clients generated from it and the UI's "Authorize" send a key or a token.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

	@Bean
	OpenAPI trawlOpenApi(SecurityProperties properties) {
		Components components = new Components().addSecuritySchemes("apiKey",
				new SecurityScheme().type(SecurityScheme.Type.APIKEY)
					.in(SecurityScheme.In.HEADER)
					.name(ApiKeyAuthentication.HEADER)
					.description("A key from ./trawl api-key create, or POST /api/keys"));
		SecurityRequirement requirement = new SecurityRequirement().addList("apiKey");
		if (properties.oidc().enabled()) {
			components.addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP)
				.scheme("bearer")
				.bearerFormat("JWT")
				.description("An access token from " + properties.oidc().issuerUri()));
			requirement = requirement.addList("bearer");
		}
		return new OpenAPI()
			.info(new Info().title("Trawl")
				.description("Rescans of malware sample repositories: launch and stop jobs, follow them, read what they"
						+ " found. Roles: viewer reads, operator also launches and stops, admin also manages keys.")
				.version("1"))
			.components(components)
			.addSecurityItem(requirement);
	}
}
