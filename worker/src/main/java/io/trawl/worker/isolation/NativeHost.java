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
 * It reads one setup message on stdin, creates the analyzers it names and answers {@code ready}, then answers one
 * request per sample: the analyzer, the sample's token, name and file, and the fields found so far (YARA's
 * {@code filetype} external is one). The answer holds the fields the analyzer added, or its error. It exits when
 * stdin ends, which is also what happens when the job's JVM dies.
 */
public final class NativeHost {

	private NativeHost() {
	}

	public static void main(String[] args) throws Exception {
		DataOutputStream answers = new DataOutputStream(
				new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
		System.setOut(System.err); // whatever else prints (a logger's console) must not corrupt the frames
		DataInputStream requests = new DataInputStream(new BufferedInputStream(System.in));
		Map<String, Object> setup = Frames.read(requests);
		if (setup == null) {
			return;
		}
		Map<String, Analyzer> analyzers = new LinkedHashMap<>();
		try {
			for (Object spec : (List<?>) setup.get("analyzers")) {
				Analyzer analyzer = create((Map<?, ?>) spec);
				analyzers.put(analyzer.name(), analyzer);
			}
		}
		catch (RuntimeException | LinkageError e) {
			Frames.write(answers, Map.of("error", message(e)));
			return;
		}
		Frames.write(answers, Map.of("ready", true));
		try (Samples samples = new Samples(((Number) setup.get("inMemoryLimit")).longValue())) {
			for (Map<String, Object> request = Frames.read(requests); request != null;
					request = Frames.read(requests)) {
				Frames.write(answers, answer(analyzers, request, samples));
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

	private static Map<String, Object> answer(Map<String, Analyzer> analyzers, Map<String, Object> request,
			Samples samples) {
		Analyzer analyzer = analyzers.get(request.get("analyzer"));
		if (analyzer == null) {
			return Map.of("error", "the native host has no analyzer " + request.get("analyzer"));
		}
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
