package io.trawl.worker.yara;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import io.trawl.worker.isolation.LibraryFolders;

/** The part of libyara 4.x that Trawl calls. Loaded once per process. */
interface LibYara extends Library {

	int ERROR_SUCCESS = 0;
	int ERROR_SCAN_TIMEOUT = 26;
	int CALLBACK_MSG_RULE_MATCHING = 1;
	int CALLBACK_CONTINUE = 0;
	int SCAN_FLAGS_REPORT_RULES_MATCHING = 8;
	/**
	 * Without it libyara installs process-wide SIGSEGV/SIGBUS handlers for each scan; the JVM uses those signals
	 * itself (safepoint polls, null checks), and other threads then spin forever on their own faults.
	 */
	int SCAN_FLAGS_NO_TRYCATCH = 4;
	int ERROR_LEVEL_WARNING = 1;

	LibYara INSTANCE = load();

	private static LibYara load() {
		LibraryFolders.useWithoutLdconfig(); // in case this is the JVM's first library through JNA
		try {
			return Native.load("yara", LibYara.class);
		}
		catch (UnsatisfiedLinkError e) {
			throw new IllegalStateException("libyara is not installed. Install it with: "
					+ "apt-get install -y libyara9 libyara-dev (the -dev package provides libyara.so)", e);
		}
	}

	int yr_initialize();

	int yr_finalize();

	int yr_compiler_create(PointerByReference compiler);

	void yr_compiler_destroy(Pointer compiler);

	void yr_compiler_set_callback(Pointer compiler, CompilerCallback callback, Pointer userData);

	int yr_compiler_add_file(Pointer compiler, Pointer file, String namespace, String fileName);

	int yr_compiler_define_string_variable(Pointer compiler, String identifier, String value);

	int yr_compiler_get_rules(Pointer compiler, PointerByReference rules);

	void yr_rules_destroy(Pointer rules);

	int yr_rules_save(Pointer rules, String fileName);

	int yr_rules_load(String fileName, PointerByReference rules);

	interface CompilerCallback extends Callback {
		void invoke(int errorLevel, String fileName, int lineNumber, Pointer rule, String message, Pointer userData);
	}

	interface ScanCallback extends Callback {
		int invoke(Pointer context, int message, Pointer messageData, Pointer userData);
	}

	/** libc's fopen/fclose, because yr_compiler_add_file takes a FILE* (includes resolve against its name). */
	interface LibC extends Library {
		LibC INSTANCE = Native.load("c", LibC.class);

		Pointer fopen(String path, String mode);

		int fclose(Pointer file);
	}
}
