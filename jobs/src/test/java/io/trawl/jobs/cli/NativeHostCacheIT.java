package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native hosts start from their own AOT cache, which the build's training run records beside the app's jar
 * (JDK 25, which the launcher picks on this project's machines): every host of a rescan opens it, none refuses it,
 * and the JVM's messages about it go to the hosts' log, not to stdout, which is their protocol with the job.
 */
class NativeHostCacheIT {

	@TempDir
	Path workspace;

	@Test
	void theHostsOfARescanStartFromTheirCache() throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		Launches.randomFiles(corpus, 6, 5, 1024, 4096, i -> "sample-" + i + ".bin");
		Path data = workspace.resolve("data");
		ProcessBuilder builder = Launches.trawl(data, "rescan", "--source", corpus.toString())
			.redirectError(workspace.resolve("rescan.err").toFile());
		// the cache's own messages, which stdout would turn into a broken frame
		builder.environment().put("TRAWL_NATIVE_HOST_OPTS", "-Xlog:aot=info:stderr");

		Process rescan = builder.start();
		String out = new String(rescan.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(rescan.waitFor(10, TimeUnit.MINUTES)).as("the first launch may build and train").isTrue();

		assertThat(rescan.exitValue()).as(Launches.read(workspace.resolve("rescan.err"))).isZero();
		assertThat(out).contains("\"status\":\"COMPLETED\"").contains("\"errors\":0");
		Path cache = Path.of("target/trawl-app/native-host-jdk25.aot").toAbsolutePath();
		assertThat(cache).as("recorded by the training run").isRegularFile();
		String hosts = Files.readString(data.resolve("native-host.log"));
		assertThat(hosts).contains("Opened AOT cache " + cache + ".").doesNotContain("[error]", "[warning]");
	}
}
