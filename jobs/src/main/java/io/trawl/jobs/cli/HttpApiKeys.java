package io.trawl.jobs.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.JsonNode;

import io.trawl.jobs.security.ApiKeys;
import io.trawl.jobs.security.Role;

/** {@link ApiKeys} through the service's {@code /api/keys} (an admin key is needed); the service audits the changes. */
final class HttpApiKeys implements ApiKeys {

	private final ServiceClient service;

	HttpApiKeys(ServiceClient service) {
		this.service = service;
	}

	@Override
	public IssuedKey create(String name, Role role) {
		JsonNode created = service.postJson("/api/keys", Map.of("name", name, "role", role.label()));
		return new IssuedKey(key(created), created.get("key").asString());
	}

	@Override
	public List<ApiKey> list() {
		List<ApiKey> keys = new ArrayList<>();
		service.getJson("/api/keys").forEach(node -> keys.add(key(node)));
		return keys;
	}

	@Override
	public Revocation revoke(String name) {
		boolean revokedBefore = list().stream().anyMatch(key -> key.name().equals(name) && key.revoked() != null);
		service.delete("/api/keys/" + URLEncoder.encode(name, StandardCharsets.UTF_8));
		return revokedBefore ? Revocation.ALREADY_REVOKED : Revocation.REVOKED;
	}

	@Override
	public Optional<ApiKey> authenticate(String key) {
		throw new UnsupportedOperationException("the service checks keys itself");
	}

	private static ApiKey key(JsonNode node) {
		return new ApiKey(node.get("name").asString(), Role.of(node.get("role").asString()), instant(node, "created"),
				instant(node, "revoked"));
	}

	private static Instant instant(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return value == null || value.isNull() ? null : Instant.parse(value.asString());
	}
}
