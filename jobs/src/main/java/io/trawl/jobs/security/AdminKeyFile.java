package io.trawl.jobs.security;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.audit.AuditLog;

/**
 * The first {@code serve} gets a way in: with no unrevoked admin key, it creates one, {@code local-admin}, in
 * {@code ${trawl.data-dir}/admin.key}, readable by its owner only (0600 from its creation), and says where on stderr.
 * The local CLI reads that file. If the file exists, nothing happens.
 */
@Component
@ConditionalOnWebApplication
class AdminKeyFile {

	static final String FILE_NAME = "admin.key";
	static final String KEY_NAME = "local-admin";

	private final ApiKeys keys;
	private final TrawlProperties properties;

	AdminKeyFile(ApiKeys keys, TrawlProperties properties) {
		this.keys = keys;
		this.properties = properties;
	}

	/** When a real server starts ({@code serve}), not for a mock web environment in tests. */
	@EventListener(WebServerInitializedEvent.class)
	void onStart() {
		bootstrap(keys, Path.of(properties.dataDir()), System.err);
	}

	/** Creates the admin key and its file if needed; returns the file it wrote. */
	static Optional<Path> bootstrap(ApiKeys keys, Path dataDir, PrintStream err) {
		Path file = dataDir.resolve(FILE_NAME);
		if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) || keys.hasActiveAdmin()) {
			return Optional.empty();
		}
		try {
			if (!Files.isDirectory(dataDir)) {
				Files.createDirectories(dataDir,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			}
			String name = freeName(keys);
			ApiKeys.IssuedKey issued = keys.create(name, Role.ADMIN);
			try (SeekableByteChannel out = Files.newByteChannel(file,
					EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
				out.write(ByteBuffer.wrap((issued.secret() + "\n").getBytes(StandardCharsets.US_ASCII)));
			}
			catch (IOException e) {
				keys.revoke(name); // a key that nobody holds must not stay valid
				throw e;
			}
			AuditLog.record("api-key.create", "bootstrap", Map.of("name", name, "role", Role.ADMIN.label()));
			err.println("trawl: created the admin API key '" + name + "' in " + file.toAbsolutePath()
					+ " (readable only by its owner); the local ./trawl CLI uses it");
			return Optional.of(file);
		}
		catch (FileAlreadyExistsException e) {
			return Optional.empty(); // another process wrote it meanwhile
		}
		catch (IOException e) {
			throw new UncheckedIOException("Could not write the admin key file " + file + ": " + e.getMessage(), e);
		}
	}

	/** {@code local-admin}, or {@code local-admin-2} and so on when an earlier one was revoked. */
	private static String freeName(ApiKeys keys) {
		var taken = keys.list().stream().map(ApiKeys.ApiKey::name).collect(java.util.stream.Collectors.toSet());
		String name = KEY_NAME;
		for (int i = 2; taken.contains(name); i++) {
			name = KEY_NAME + "-" + i;
		}
		return name;
	}
}
