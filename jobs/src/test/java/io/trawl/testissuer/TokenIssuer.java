package io.trawl.testissuer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real OAuth 2.0 authorization server (Spring Authorization Server) on a random loopback port, in its own small
 * context: clients get tokens with client_credentials, and a token customizer puts each client's groups in the
 * {@code cognito:groups} claim, as Cognito does. Client {@code brief} gets tokens that live five seconds. Its package
 * lies outside {@code io.trawl.jobs}, so the application's component scan never picks up its configuration.
 */
public final class TokenIssuer implements AutoCloseable {

	/** Client id to the groups its tokens carry. */
	static final Map<String, List<String>> GROUPS = Map.of("operators", List.of("trawl-operator"), "viewers",
			List.of("Viewer"), "admins", List.of("admin", "sales"), "sales", List.of("sales"), "nobody", List.of(),
			"brief", List.of("admin"));

	private final ConfigurableApplicationContext context;
	private final URI uri;
	private final HttpClient http = HttpClient.newHttpClient();

	public TokenIssuer() {
		this.context = new SpringApplicationBuilder(Server.class).web(WebApplicationType.SERVLET)
			.logStartupInfo(false)
			.properties("spring.main.banner-mode=off", "spring.config.name=token-issuer") // not Trawl's application.yml
			.run();
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		this.uri = URI.create("http://127.0.0.1:" + port);
	}

	/** Each client its own secret: the server refuses two clients with the same one. */
	static String secret(String clientId) {
		return clientId + "-secret";
	}

	public URI uri() {
		return uri;
	}

	/** An access token for that client, from the token endpoint. */
	public String token(String clientId) throws Exception {
		String basic = Base64.getEncoder()
			.encodeToString((clientId + ":" + secret(clientId)).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri.resolve("/oauth2/token"))
			.header("Authorization", "Basic " + basic)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=trawl"))
			.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("token endpoint: " + response.statusCode() + " " + response.body());
		}
		return JsonMapper.builder().build().readTree(response.body()).get("access_token").asString();
	}

	@Override
	public void close() {
		context.close();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebSecurity
	static class Server {

		@Bean
		TomcatServletWebServerFactory webServer() throws Exception {
			TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(0);
			factory.setAddress(java.net.InetAddress.getLoopbackAddress());
			return factory;
		}

		/** Tomcat runs filters only for requests mapped to a servlet; the server's endpoints are all filters. */
		@Bean
		ServletRegistrationBean<HttpServlet> nothingElse() {
			return new ServletRegistrationBean<>(new HttpServlet() {
				@Override
				protected void service(HttpServletRequest request, HttpServletResponse response) {
					response.setStatus(404);
				}
			}, "/*");
		}

		@Bean
		SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
			OAuth2AuthorizationServerConfigurer server = new OAuth2AuthorizationServerConfigurer();
			http.securityMatcher(server.getEndpointsMatcher())
				.with(server, configurer -> {
				})
				.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
				.csrf(csrf -> csrf.disable());
			return http.build();
		}

		@Bean
		RegisteredClientRepository clients() {
			return new InMemoryRegisteredClientRepository(GROUPS.keySet().stream().map(id -> RegisteredClient
				.withId(UUID.randomUUID().toString())
				.clientId(id)
				.clientSecret("{noop}" + secret(id))
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.scope("trawl")
				.tokenSettings(TokenSettings.builder()
					.accessTokenTimeToLive(id.equals("brief") ? Duration.ofSeconds(5) : Duration.ofMinutes(10))
					.build())
				.build()).toList());
		}

		@Bean
		JWKSource<SecurityContext> keys() throws Exception {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			KeyPair pair = generator.generateKeyPair();
			RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic())
				.privateKey((RSAPrivateKey) pair.getPrivate())
				.keyID(UUID.randomUUID().toString())
				.build();
			return new ImmutableJWKSet<>(new JWKSet(key));
		}

		@Bean
		AuthorizationServerSettings settings() {
			return AuthorizationServerSettings.builder().build();
		}

		@Bean
		OAuth2TokenCustomizer<JwtEncodingContext> groups() {
			return context -> {
				List<String> groups = GROUPS.getOrDefault(context.getRegisteredClient().getClientId(), List.of());
				if (!groups.isEmpty()) {
					context.getClaims().claim("cognito:groups", groups);
				}
			};
		}
	}
}
