package io.trawl.worker.isolation;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.AnalyzerSpec;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * The child process in which the analyzers that run native code (libyara, plugged-in ones) do their work,
 * so that a fault on a hostile sample kills this process, not the JVM running the job ({@link NativeHosts}).
 * <p>
 * It reads messages on stdin and answers each on stdout. A setup message ({@code load}: its key, the analyzers' specs
 * and the in-memory limit) creates those analyzers and is answered {@code ready}, or the error. A request names its
 * setup, the analyzer, the sample's token, name and file, and the fields found so far (YARA's {@code filetype}
 * external is one); the answer holds the fields the analyzer added, or its error. Any message may list setups to
 * {@code forget} first, which closes their analyzers. It exits when stdin ends, which is also what happens when the
 * job's JVM dies.
 */
public final class NativeHost {

	private NativeHost() {
	}

	public static void main(String[] args) throws Exception {
		DataOutputStream answers = new DataOutputStream(
				new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
		System.setOut(System.err); // whatever else prints (a logger's console) must not corrupt the frames
		DataInputStream requests = new DataInputStream(new BufferedInputStream(System.in));
		Map<Long, Loaded> setups = new HashMap<>();
		try {
			for (Map<String, Object> message = Frames.read(requests); message != null;
					message = Frames.read(requests)) {
				if (message.get("forget") instanceof List<?> forget) {
					forget.forEach(key -> close(setups.remove(((Number) key).longValue())));
				}
				Frames.write(answers, message.containsKey("load") ? load(setups, message) : answer(setups, message));
			}
		}
		finally {
			setups.values().forEach(NativeHost::close);
		}
	}

	/** The analyzers of one setup, and the sample they last read. */
	private record Loaded(Map<String, Analyzer> analyzers, Samples samples) {
	}

	private static Map<String, Object> load(Map<Long, Loaded> setups, Map<String, Object> setup) {
		Map<String, Analyzer> analyzers = new LinkedHashMap<>();
		try {
			for (Object spec : (List<?>) setup.get("analyzers")) {
				Analyzer analyzer = create((Map<?, ?>) spec);
				analyzers.put(analyzer.name(), analyzer);
			}
		}
		catch (RuntimeException | LinkageError e) {
			analyzers.values().forEach(NativeHost::close);
			return Map.of("error", message(e));
		}
		long key = ((Number) setup.get("load")).longValue();
		close(setups.put(key, new Loaded(analyzers,
				new Samples(((Number) setup.get("inMemoryLimit")).longValue()))));
		return Map.of("ready", true);
	}

	private static void close(Loaded setup) {
		if (setup != null) {
			setup.samples().close();
			setup.analyzers().values().forEach(NativeHost::close);
		}
	}

	/** Frees what an analyzer holds (a YARA analyzer's rules, loaded in this process). */
	private static void close(Analyzer analyzer) {
		if (analyzer instanceof AutoCloseable closeable) {
			try {
				closeable.close();
			}
			catch (Exception e) {
				// the process keeps serving its other setups
			}
		}
	}

	/** The analyzer a spec from {@link NativeHosts} describes, built by its class or its factory. */
	@SuppressWarnings("unchecked")
	static Analyzer create(Map<?, ?> spec) {
		Object settings = spec.get("settings");
		return new AnalyzerSpec((String) spec.get("class"),
				settings == null ? Map.of() : (Map<String, Object>) settings).create();
	}

	private static Map<String, Object> answer(Map<Long, Loaded> setups, Map<String, Object> request) {
		Loaded setup = request.get("setup") instanceof Number key ? setups.get(key.longValue()) : null;
		if (setup == null) {
			return Map.of("error", "the native host has no setup " + request.get("setup"));
		}
		Analyzer analyzer = setup.analyzers().get(request.get("analyzer"));
		if (analyzer == null) {
			return Map.of("error", "the native host has no analyzer " + request.get("analyzer"));
		}
		Samples samples = setup.samples();
		Map<?, ?> given = (Map<?, ?>) request.get("fields");
		Findings findings = new Findings();
		given.forEach((field, value) -> findings.put((String) field, value));
		// the job's JVM enforces the timeout: it kills this process
		try {
			analyzer.analyse(samples.open(((Number) request.get("sample")).longValue(), (String) request.get("name"),
					Path.of((String) request.get("path"))), findings);
		}
		catch (Exception | StackOverflowError | OutOfMemoryError e) {
			return Map.of("error", message(e));
		}
		Map<String, Object> added = new LinkedHashMap<>();
		findings.fields().forEach((field, value) -> {
			if (!Objects.equals(given.get(field), value)) {
				added.put(field, value);
			}
		});
		return Map.of("fields", added);
	}

	/**
	 * The sample last asked for, kept open: the next analyzer asked about it (a plugged-in one after YARA) reads no file. Up to
	 * the in-memory limit it is read into memory, as the job reads it; a larger one is mapped or streamed from its
	 * file by the native code. It is known by the job's token for it as well as by its file: the file is often
	 * {@code /proc/<job pid>/fd/<n>}, and the next sample may well get the same descriptor number.
	 */
	private static final class Samples implements AutoCloseable {

		private final long inMemoryLimit;
		private Sample open;
		private long token;
		private Path file;
		private FileTime modified;

		Samples(long inMemoryLimit) {
			this.inMemoryLimit = inMemoryLimit;
		}

		Sample open(long sample, String name, Path path) throws IOException {
			FileTime now = Files.getLastModifiedTime(path);
			if (open == null || sample != token || !path.equals(file) || !now.equals(modified)
					|| !name.equals(open.name())) {
				close();
				open = Sample.ofFile(name, path, inMemoryLimit);
				token = sample;
				file = path;
				modified = now;
			}
			return open;
		}

		@Override
		public void close() {
			if (open != null) {
				open.close();
				open = null;
			}
		}
	}

	private static String message(Throwable e) {
		return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
	}
}
