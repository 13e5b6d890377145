package io.trawl.worker.isolation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * An analyzer with native code, run in a {@link NativeHost} process instead of this JVM. The host reads the sample
 * from its file: for a folder's sample that is the descriptor this JVM holds open ({@code /proc/<pid>/fd/<n>}), so
 * the host reads the very file this JVM checked, whatever has happened to its name since. A sample that exists only
 * in memory (an archive member) is written to a temporary file of this JVM's own first, in /dev/shm when there is
 * one. If the host dies on the sample, the sample gets an error for this analyzer saying so, and the job goes on.
 */
public final class IsolatedAnalyzer extends AbstractAnalyzer {

	private static final Path SPILL = Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm"))
			? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));

	private final NativeHosts.Setup hosts;
	private final Set<String> fields;
	private final Set<String> reads;

	/** @param inside the analyzer the hosts run, for its name, version and the fields it writes and reads */
	public IsolatedAnalyzer(Analyzer inside, NativeHosts hosts) {
		this(inside, hosts.only());
	}

	/**
	 * @param inside the analyzer the hosts run, for its name, version and the fields it writes and reads
	 * @param hosts the hosts' setup that runs it
	 */
	public IsolatedAnalyzer(Analyzer inside, NativeHosts.Setup hosts) {
		super(inside.name(), inside.version());
		this.hosts = hosts;
		this.fields = Set.copyOf(inside.fields());
		this.reads = Set.copyOf(inside.reads());
	}

	@Override
	public Set<String> fields() {
		return fields;
	}

	@Override
	public Set<String> reads() {
		return reads;
	}

	/** A fault in its native code kills the host, not this JVM. */
	@Override
	public boolean nativeCode() {
		return false;
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws Exception {
		Path spilled = sample.file().isPresent() ? null : spill(sample);
		Map<String, Object> known = new LinkedHashMap<>();
		findings.fields().forEach((field, value) -> {
			if (value instanceof String || value instanceof Number || value instanceof Boolean) {
				known.put(field, value);
			}
		});
		Map<String, Object> answer;
		try {
			Path file = spilled != null ? spilled : sample.file().orElseThrow();
			answer = hosts.call(Map.of("analyzer", name(), "sample", sample.token(), "name", sample.name(), "path",
					file.toString(), "fields", known));
		}
		catch (NativeHosts.HostFailure e) {
			throw new IllegalStateException(e.getMessage());
		}
		finally {
			if (spilled != null) {
				Files.deleteIfExists(spilled);
			}
		}
		if (answer.get("error") instanceof String error) {
			throw new IllegalStateException(error);
		}
		((Map<?, ?>) answer.get("fields")).forEach((field, value) -> findings.put((String) field, value));
	}

	private static Path spill(Sample sample) throws IOException {
		Path file = Files.createTempFile(SPILL, "trawl-sample-", ".bin");
		try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
			ByteBuffer bytes = sample.bytes().orElseThrow();
			while (bytes.hasRemaining()) {
				out.write(bytes);
			}
		}
		catch (IOException | RuntimeException e) {
			Files.deleteIfExists(file);
			throw e;
		}
		return file;
	}
}
