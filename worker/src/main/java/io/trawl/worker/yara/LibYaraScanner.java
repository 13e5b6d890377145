package io.trawl.worker.yara;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * libyara's scanner calls, made for every sample, bound by JNA's direct mapping: a static native method per entry
 * point instead of {@link LibYara}'s interface, whose every call goes through a proxy and reflection. Load
 * {@link LibYara#INSTANCE} first: it says how to install libyara when it is missing.
 */
final class LibYaraScanner {

	static {
		Native.register(LibYaraScanner.class, NativeLibrary.getInstance("yara"));
	}

	private LibYaraScanner() {
	}

	static native int yr_scanner_create(Pointer rules, PointerByReference scanner);

	static native void yr_scanner_destroy(Pointer scanner);

	static native void yr_scanner_set_callback(Pointer scanner, LibYara.ScanCallback callback, Pointer userData);

	static native void yr_scanner_set_timeout(Pointer scanner, int timeoutSeconds);

	static native void yr_scanner_set_flags(Pointer scanner, int flags);

	static native int yr_scanner_define_string_variable(Pointer scanner, String identifier, String value);

	static native int yr_scanner_scan_mem(Pointer scanner, Pointer buffer, long size);

	static native int yr_scanner_scan_file(Pointer scanner, String fileName);
}
