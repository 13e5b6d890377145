package io.trawl.worker.yara;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * A compiled YARA ruleset. Compiled once per process; scanning is thread-safe (libyara's YR_RULES is), so every
 * partition shares one instance. Each rule file is its own namespace, named by its path relative to the rules root.
 */
public final class YaraRules implements AutoCloseable {

	/** External variables every rule may use; set per sample. */
	public static final List<String> EXTERNALS = List.of("filename", "filepath", "extension", "filetype");

	// libyara keeps per-thread match tables for at most YR_MAX_THREADS (32) concurrent scans
	private static final Semaphore SCAN_SLOTS = new Semaphore(32);
	private static final Object INIT_LOCK = new Object();
	private static boolean initialized;

	private static final ThreadLocal<List<YaraMatch>> CURRENT_MATCHES = new ThreadLocal<>();
	/** Where yr_scanner_create puts the scanner: 8 bytes of native memory, reused rather than allocated per scan. */
	private static final ThreadLocal<PointerByReference> SCANNER_REF = ThreadLocal.withInitial(PointerByReference::new);
	private static final LibYara.ScanCallback ON_MATCH = (context, message, data, user) -> {
		if (message == LibYara.CALLBACK_MSG_RULE_MATCHING) {
			List<YaraMatch> matches = CURRENT_MATCHES.get();
			if (matches != null) {
				matches.add(readRule(data));
			}
		}
		return LibYara.CALLBACK_CONTINUE;
	};

	private final LibYara yara = LibYara.INSTANCE;
	private final Pointer rules;
	private final String version;
	private final List<String> files;
	private final List<String> warnings;
	private final int timeoutSeconds;
	private final Path source;
	// scans share it, close takes it alone: destroying rules under a running scan is a use-after-free in libyara
	// (an assertion or a SIGSEGV), which a context closing on Ctrl-C used to hit
	private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
	private volatile boolean closed;
	/** The rules as libyara saved them ({@link #saved}), once asked for; deleted with the rules. */
	private volatile Path saved;

	private YaraRules(Pointer rules, String version, List<String> files, List<String> warnings, int timeoutSeconds,
			Path source) {
		this.rules = rules;
		this.source = source;
		this.version = version;
		this.files = files;
		this.warnings = warnings;
		this.timeoutSeconds = timeoutSeconds;
	}

	/**
	 * Compiles a {@code .yar}/{@code .yara} file, or every such file under a folder.
	 * @throws RuleCompilationException listing every {@code file:line: message} when a rule does not compile
	 * @throws IllegalArgumentException when the path is missing or holds no rules
	 */
	public static YaraRules compile(Path path, int timeoutSeconds) {
		List<Path> ruleFiles = ruleFiles(path);
		initialize();
		LibYara yara = LibYara.INSTANCE;
		PointerByReference compilerRef = new PointerByReference();
		check(yara.yr_compiler_create(compilerRef), "yr_compiler_create");
		Pointer compiler = compilerRef.getValue();
		List<String> errors = new ArrayList<>();
		List<String> warnings = new ArrayList<>();
		LibYara.CompilerCallback onProblem = (level, fileName, line, rule, message, user) -> {
			String where = (fileName == null ? "?" : fileName) + ":" + line + ": " + message;
			(level == LibYara.ERROR_LEVEL_WARNING ? warnings : errors).add(where);
		};
		try {
			yara.yr_compiler_set_callback(compiler, onProblem, null);
			for (String external : EXTERNALS) {
				check(yara.yr_compiler_define_string_variable(compiler, external, ""), "define " + external);
			}
			Path root = Files.isDirectory(path) ? path : path.getParent();
			for (Path file : ruleFiles) {
				Pointer handle = LibYara.LibC.INSTANCE.fopen(file.toString(), "r");
				if (handle == null) {
					throw new IllegalArgumentException("Cannot read the YARA rule file " + file + ".");
				}
				try {
					yara.yr_compiler_add_file(compiler, handle, namespace(root, file), file.toString());
				}
				finally {
					LibYara.LibC.INSTANCE.fclose(handle);
				}
				if (!errors.isEmpty()) {
					break; // libyara refuses further files once one failed
				}
			}
			if (!errors.isEmpty()) {
				throw new RuleCompilationException(path.toString(), errors);
			}
			PointerByReference rulesRef = new PointerByReference();
			check(yara.yr_compiler_get_rules(compiler, rulesRef), "yr_compiler_get_rules");
			List<String> names = ruleFiles.stream().map(f -> namespace(root, f)).toList();
			return new YaraRules(rulesRef.getValue(), contentHash(root, ruleFiles), names, List.copyOf(warnings),
					timeoutSeconds, path);
		}
		finally {
			yara.yr_compiler_destroy(compiler);
		}
	}

	/**
	 * Rules that {@link #saved} wrote, as compiled from {@code source}: loading them costs a small fraction of
	 * compiling them again (the ReversingLabs set: about 10 ms against 150).
	 * @param version the version of the rules that were saved, which the file does not record
	 * @throws IllegalArgumentException in one sentence, when libyara cannot load the file
	 */
	public static YaraRules load(Path compiled, String version, Path source, int timeoutSeconds) {
		initialize();
		PointerByReference rulesRef = new PointerByReference();
		int result = LibYara.INSTANCE.yr_rules_load(compiled.toString(), rulesRef);
		if (result != LibYara.ERROR_SUCCESS) {
			throw new IllegalArgumentException("libyara cannot load the compiled YARA rules " + compiled
					+ " (error " + result + ").");
		}
		return new YaraRules(rulesRef.getValue(), version, List.of(), List.of(), timeoutSeconds, source);
	}

	/**
	 * These rules as libyara saves them, for another process to {@link #load}: written once, on the first call, to a
	 * folder of this user's alone, and deleted when the rules are closed.
	 * @throws IllegalStateException when they cannot be saved, or were closed
	 */
	public synchronized Path saved() {
		if (saved != null) {
			return saved;
		}
		inUse.readLock().lock();
		try {
			if (closed) {
				throw new IllegalStateException("the YARA rules were closed (the process is shutting down)");
			}
			Path file = Files.createTempDirectory("trawl-rules-").resolve("rules.yarc"); // owner only
			int result = yara.yr_rules_save(rules, file.toString());
			if (result != LibYara.ERROR_SUCCESS) {
				deleteSaved(file);
				throw new IllegalStateException("libyara could not save the compiled YARA rules (error " + result
						+ ")");
			}
			saved = file;
			return file;
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot save the compiled YARA rules: " + e.getMessage(), e);
		}
		finally {
			inUse.readLock().unlock();
		}
	}

	private static void deleteSaved(Path file) {
		try {
			Files.deleteIfExists(file);
			Files.deleteIfExists(file.getParent());
		}
		catch (IOException e) {
			// a file of this user's in the temporary folder: nothing else reads it
		}
	}

	/** The version {@link #compile} would give the rules at {@code path} now, without compiling them. */
	public static String versionOf(Path path) {
		List<Path> ruleFiles = ruleFiles(path);
		return contentHash(Files.isDirectory(path) ? path : path.getParent(), ruleFiles);
	}

	/** Content hash of the ruleset: every file's relative name and bytes, in order. */
	public String version() {
		return version;
	}

	/** The file or folder the rules were compiled from. */
	public Path source() {
		return source;
	}

	/** The time libyara has for one scan, in seconds. */
	public int timeoutSeconds() {
		return timeoutSeconds;
	}

	public List<String> files() {
		return files;
	}

	public List<String> warnings() {
		return warnings;
	}

	public List<YaraMatch> scan(ByteBuffer directBytes, Map<String, String> externals) {
		Pointer buffer = directBytes.capacity() == 0 ? null : Native.getDirectBufferPointer(directBytes);
		return scan(scanner -> LibYaraScanner.yr_scanner_scan_mem(scanner, buffer, directBytes.remaining()), externals);
	}

	public List<YaraMatch> scan(Path file, Map<String, String> externals) {
		return scan(scanner -> LibYaraScanner.yr_scanner_scan_file(scanner, file.toString()), externals);
	}

	private List<YaraMatch> scan(ScanCall call, Map<String, String> externals) {
		inUse.readLock().lock();
		try {
			if (closed) {
				throw new YaraScanException("the YARA rules were closed (the process is shutting down)");
			}
			return scanOpen(call, externals);
		}
		finally {
			inUse.readLock().unlock();
		}
	}

	private List<YaraMatch> scanOpen(ScanCall call, Map<String, String> externals) {
		SCAN_SLOTS.acquireUninterruptibly();
		PointerByReference scannerRef = SCANNER_REF.get();
		try {
			check(LibYaraScanner.yr_scanner_create(rules, scannerRef), "yr_scanner_create");
			Pointer scanner = scannerRef.getValue();
			try {
				LibYaraScanner.yr_scanner_set_callback(scanner, ON_MATCH, null);
				LibYaraScanner.yr_scanner_set_timeout(scanner, timeoutSeconds);
				LibYaraScanner.yr_scanner_set_flags(scanner,
						LibYara.SCAN_FLAGS_REPORT_RULES_MATCHING | LibYara.SCAN_FLAGS_NO_TRYCATCH);
				externals.forEach(
						(name, value) -> LibYaraScanner.yr_scanner_define_string_variable(scanner, name, value));
				List<YaraMatch> matches = new ArrayList<>();
				CURRENT_MATCHES.set(matches);
				int result = call.scan(scanner);
				if (result == LibYara.ERROR_SCAN_TIMEOUT) {
					throw new YaraScanException("YARA scan timed out after " + timeoutSeconds + " s");
				}
				if (result != LibYara.ERROR_SUCCESS) {
					throw new YaraScanException("YARA scan failed with libyara error " + result);
				}
				return matches;
			}
			finally {
				CURRENT_MATCHES.remove();
				LibYaraScanner.yr_scanner_destroy(scanner);
			}
		}
		finally {
			SCAN_SLOTS.release();
		}
	}

	/** True once {@link #close} freed the rules: no job holds them any more. */
	public boolean closed() {
		return closed;
	}

	/**
	 * Waits for running scans (libyara's timeout bounds them), then frees the rules. If they do not end in time the
	 * rules are left allocated: a leak at shutdown is harmless, freeing them under a scan is not.
	 */
	@Override
	public void close() {
		try {
			if (!inUse.writeLock().tryLock(timeoutSeconds + 5L, TimeUnit.SECONDS)) {
				return;
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return;
		}
		try {
			if (!closed) {
				closed = true;
				yara.yr_rules_destroy(rules);
				if (saved != null) { // set under the read lock, which this write lock excludes
					deleteSaved(saved);
				}
			}
		}
		finally {
			inUse.writeLock().unlock();
		}
	}

	private static YaraMatch readRule(Pointer rule) {
		String identifier = rule.getPointer(8).getString(0, "UTF-8");
		List<String> tags = new ArrayList<>();
		Pointer tag = rule.getPointer(16);
		if (tag != null) {
			for (long offset = 0;;) {
				String value = tag.getString(offset, "UTF-8");
				if (value.isEmpty()) {
					break;
				}
				tags.add(value);
				offset += value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
			}
		}
		Map<String, Object> meta = new LinkedHashMap<>();
		Pointer metas = rule.getPointer(24);
		if (metas != null) {
			for (long offset = 0;; offset += 32) { // sizeof(YR_META)
				String key = metas.getPointer(offset).getString(0, "UTF-8");
				int type = metas.getInt(offset + 24);
				Object value = switch (type) {
					case 1 -> metas.getLong(offset + 16);
					case 3 -> metas.getLong(offset + 16) != 0;
					default -> metas.getPointer(offset + 8) == null ? "" : metas.getPointer(offset + 8).getString(0, "UTF-8");
				};
				meta.putIfAbsent(key, value);
				if ((metas.getInt(offset + 28) & 1) != 0) {
					break;
				}
			}
		}
		Pointer ns = rule.getPointer(40);
		String namespace = ns == null ? "default" : ns.getPointer(0).getString(0, "UTF-8");
		return new YaraMatch(namespace, identifier, Collections.unmodifiableList(tags),
				Collections.unmodifiableMap(meta));
	}

	/**
	 * The rule files a ruleset at {@code path} is compiled from, in compilation order: the file itself, or every
	 * {@code .yar} and {@code .yara} file under the folder, sorted.
	 * @throws IllegalArgumentException in one sentence, when there is no such path or the folder holds no rule file
	 */
	public static List<Path> ruleFiles(Path path) {
		if (!Files.exists(path)) {
			throw new IllegalArgumentException("The YARA rules path " + path + " does not exist.");
		}
		if (Files.isRegularFile(path)) {
			return List.of(path);
		}
		try (Stream<Path> walk = Files.walk(path)) {
			List<Path> files = walk.filter(Files::isRegularFile)
				.filter(p -> p.toString().endsWith(".yar") || p.toString().endsWith(".yara"))
				.sorted()
				.toList();
			if (files.isEmpty()) {
				throw new IllegalArgumentException("The folder " + path + " holds no .yar or .yara files.");
			}
			return files;
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot list the YARA rules under " + path + ": " + e.getMessage() + ".", e);
		}
	}

	/** The namespace of a rule file: its path under {@code root} without {@code .yar}/{@code .yara}, or its name. */
	public static String namespace(Path root, Path file) {
		String relative = root == null ? file.getFileName().toString() : root.relativize(file).toString();
		return relative.replaceFirst("\\.yara?$", "");
	}

	private static String contentHash(Path root, List<Path> files) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			for (Path file : files) {
				digest.update(namespace(root, file).getBytes(java.nio.charset.StandardCharsets.UTF_8));
				digest.update((byte) 0);
				digest.update(Files.readAllBytes(file));
				digest.update((byte) 0);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private static void initialize() {
		synchronized (INIT_LOCK) {
			if (!initialized) {
				check(LibYara.INSTANCE.yr_initialize(), "yr_initialize");
				initialized = true;
			}
		}
	}

	private static void check(int result, String call) {
		if (result != LibYara.ERROR_SUCCESS) {
			throw new IllegalStateException(call + " failed with libyara error " + result);
		}
	}

	@FunctionalInterface
	private interface ScanCall {
		int scan(Pointer scanner);
	}
}
