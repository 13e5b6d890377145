package io.trawl.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;

import org.junit.jupiter.api.Test;

/**
 * The packaged {@code trawl.jar} holds no development tools: the emulators of {@code ./trawl aws-local} (S3Proxy,
 * ElasticMQ, and the launchers of them and of dynalite) are in devtools/, which the production jar does not contain.
 * Run by failsafe, after {@code package}.
 */
class ProductionJarIT {

	static final Path JAR = Path.of("target/trawl.jar");
	static final List<String> DEVELOPMENT_ONLY = List.of("org/gaul/", "org/elasticmq/", "io/trawl/devtools/");
	static final List<String> LAUNCHERS = List.of("/AwsLocal.class", "/Dynalite.class");
	static final List<String> LIBRARIES = List.of("s3proxy-", "elasticmq-", "trawl-devtools-");

	@Test
	void theJarHoldsNoEmulatorsNorTheirLaunchers() throws IOException {
		// given the jar Maven packaged
		assertThat(JAR).isRegularFile();

		// when every entry is listed, those of the nested library jars too
		List<String> entries = new ArrayList<>();
		try (JarFile jar = new JarFile(JAR.toFile())) {
			for (Enumeration<JarEntry> all = jar.entries(); all.hasMoreElements();) {
				JarEntry entry = all.nextElement();
				entries.add(entry.getName());
				if (entry.getName().startsWith("BOOT-INF/lib/") && entry.getName().endsWith(".jar")) {
					try (InputStream in = jar.getInputStream(entry); JarInputStream nested = new JarInputStream(in)) {
						for (JarEntry inner; (inner = nested.getNextJarEntry()) != null;) {
							entries.add(entry.getName() + "!/" + inner.getName());
						}
					}
				}
			}
		}

		// then the application is there, and nothing of the development tools
		assertThat(entries).contains("BOOT-INF/classes/io/trawl/jobs/cli/TrawlCli.class");
		assertThat(entries).anyMatch(name -> name.matches("BOOT-INF/lib/trawl-readmodel-[^/]*\\.jar"));
		assertThat(entries).filteredOn(name -> DEVELOPMENT_ONLY.stream().anyMatch(name::contains)
				|| LAUNCHERS.stream().anyMatch(name::endsWith)
				|| LIBRARIES.stream().anyMatch(library -> name.startsWith("BOOT-INF/lib/" + library)))
			.isEmpty();
	}
}
