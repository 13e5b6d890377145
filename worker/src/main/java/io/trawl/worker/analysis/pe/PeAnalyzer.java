package io.trawl.worker.analysis.pe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.bytes.BoundedReader;
import io.trawl.worker.analysis.bytes.BoundedReader.Truncated;
import io.trawl.worker.source.Sample;

/**
 * PE (Windows executable) metadata: header fields, sections with entropy, imports with pefile's imphash, exports,
 * resources, signature presence and overlay. Hostile headers give a partial report and {@code anomalies}; every
 * count and offset read from the file is bounded before use.
 */
public final class PeAnalyzer extends AbstractAnalyzer {

	/** Upper bounds on what a hostile header can make us walk. */
	public record Limits(int maxSections, int maxImportDlls, int maxImportsPerDll, int maxImports, int maxExports,
			int maxResources, int maxNameLength) {

		public static Limits defaults() {
			return new Limits(96, 1024, 8192, 32768, 32768, 16384, 512);
		}
	}

	private static final Map<String, Map<Integer, String>> ORDINALS = loadOrdinals();

	private final Limits limits;

	public PeAnalyzer() {
		this(Limits.defaults());
	}

	public PeAnalyzer(Limits limits) {
		super("pe", "1");
		this.limits = limits;
	}

	@Override
	public Set<String> fields() {
		return Set.of("pe");
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws IOException {
		byte[] head = sample.head(2);
		if (head.length < 2 || head[0] != 'M' || head[1] != 'Z') {
			return;
		}
		Map<String, Object> report = new Parse(BoundedReader.of(sample), limits, sample.size()).run();
		if (report != null) {
			findings.put("pe", report);
		}
	}

	/** One parse of one file; the report grows field by field, so a failure part-way keeps what was read. */
	private static final class Parse {

		private final BoundedReader b;
		private final Limits limits;
		private final long size;
		private final Map<String, Object> report = new LinkedHashMap<>();
		private final List<String> anomalies = new ArrayList<>();
		private final List<long[]> sections = new ArrayList<>(); // va, virtualSize, rawPointer, rawSize
		private boolean plus;
		private int fileAlignment;
		private int sizeOfHeaders;

		Parse(BoundedReader reader, Limits limits, long size) {
			this.b = reader;
			this.limits = limits;
			this.size = size;
		}

		Map<String, Object> run() {
			if (b.limit() < 0x40) {
				return null; // too short for a DOS header, so not an executable
			}
			long peOffset = b.u32(0x3c);
			if (peOffset + 24 > b.limit() || b.u32(peOffset) != 0x00004550) {
				// an MZ file without a PE header is plain DOS (or not an executable at all)
				return null;
			}
			try {
				headers(peOffset);
				sectionTable(peOffset);
				dataDirectories();
			}
			catch (IndexOutOfBoundsException | Truncated e) {
				anomalies.add("truncated or malformed header: " + (e.getMessage() == null ? "read past the end"
						: e.getMessage()));
			}
			if (size > b.limit()) {
				anomalies.add("only the first " + b.limit() + " bytes were parsed");
			}
			report.put("anomalies", anomalies);
			return report;
		}

		private int optionalHeader;
		private int optionalSize;
		private int sectionCount;
		private long directoryCount;
		private int directories;

		private void headers(long peOffset) {
			int coff = (int) peOffset + 4;
			int machine = b.u16(coff);
			report.put("machine", machineName(machine));
			sectionCount = b.u16(coff + 2);
			long timestamp = b.u32(coff + 4);
			report.put("timestamp", timestamp);
			report.put("timestampIso", Instant.ofEpochSecond(timestamp).toString());
			optionalSize = b.u16(coff + 16);
			int characteristics = b.u16(coff + 18);
			report.put("characteristics", characteristics);
			report.put("isDll", (characteristics & 0x2000) != 0);
			optionalHeader = coff + 20;
			int magic = b.u16(optionalHeader);
			if (magic == 0x20b) {
				plus = true;
			}
			else if (magic != 0x10b) {
				anomalies.add(String.format("unknown optional header magic 0x%x", magic));
			}
			report.put("format", plus ? "PE32+" : "PE32");
			report.put("entryPoint", b.u32(optionalHeader + 16));
			report.put("imageBase", plus ? b.s64(optionalHeader + 24) : b.u32(optionalHeader + 28));
			fileAlignment = (int) Math.min(b.u32(optionalHeader + 36), Integer.MAX_VALUE);
			sizeOfHeaders = (int) Math.min(b.u32(optionalHeader + 60), Integer.MAX_VALUE);
			report.put("subsystem", subsystemName(b.u16(optionalHeader + 68)));
			report.put("dllCharacteristics", b.u16(optionalHeader + 70));
			int counts = optionalHeader + (plus ? 108 : 92);
			directoryCount = b.u32(counts);
			directories = counts + 4;
			if (directoryCount > 16) {
				anomalies.add("NumberOfRvaAndSizes is " + directoryCount + ", more than 16");
			}
			long directoriesEnd = directories + 8 * Math.min(directoryCount, 16);
			if (directoriesEnd > optionalHeader + optionalSize) {
				anomalies.add("data directories extend past SizeOfOptionalHeader");
			}
		}

		private void sectionTable(long peOffset) {
			if (sectionCount > limits.maxSections()) {
				anomalies.add("NumberOfSections is " + sectionCount + "; only " + limits.maxSections() + " parsed");
			}
			if (sectionCount == 0) {
				anomalies.add("no sections");
			}
			int table = optionalHeader + optionalSize;
			List<Object> list = new ArrayList<>();
			report.put("sections", list);
			long overlayStart = 0;
			for (int i = 0; i < Math.min(sectionCount, limits.maxSections()); i++) {
				int at = table + 40 * i;
				if (at + 40 > b.limit()) {
					throw new Truncated("section table ends after " + i + " of " + sectionCount + " sections");
				}
				String name = b.printable(at, 8);
				long virtualSize = b.u32(at + 8);
				long va = b.u32(at + 12);
				long rawSize = b.u32(at + 16);
				long rawPointer = b.u32(at + 20);
				long characteristics = b.u32(at + 36);
				long start = alignedRawPointer(rawPointer);
				sections.add(new long[] { va, virtualSize, start, rawSize });
				Map<String, Object> section = new LinkedHashMap<>();
				section.put("name", name);
				section.put("virtualAddress", va);
				section.put("virtualSize", virtualSize);
				section.put("rawSize", rawSize);
				section.put("rawOffset", rawPointer);
				section.put("characteristics", characteristics);
				long available = Math.max(0, Math.min(rawSize, b.limit() - start));
				if (rawSize > 0 && available < rawSize) {
					anomalies.add("section " + name + " extends past the end of the file");
				}
				section.put("entropy", b.entropy(start, available));
				list.add(section);
				if (rawSize > 0) {
					overlayStart = Math.max(overlayStart, start + rawSize);
				}
			}
			overlayStart = Math.max(overlayStart, sizeOfHeaders);
			report.put("overlaySize", Math.max(0, size - overlayStart));
		}

		private void dataDirectories() {
			long count = Math.min(directoryCount, 16);
			long[] rva = new long[16];
			long[] length = new long[16];
			for (int i = 0; i < count; i++) {
				rva[i] = b.u32(directories + 8L * i);
				length[i] = b.u32(directories + 8L * i + 4);
			}
			report.put("signed", count > 4 && rva[4] != 0 && length[4] != 0);
			section("imports", () -> imports(rva[1]));
			section("exports", () -> exports(rva[0], length[0]));
			section("resources", () -> resources(rva[2]));
		}

		private void section(String what, Runnable step) {
			try {
				step.run();
			}
			catch (IndexOutOfBoundsException | Truncated e) {
				anomalies.add(what + " are malformed: " + (e.getMessage() == null ? "read past the end"
						: e.getMessage()));
			}
		}

		private void imports(long directory) {
			Map<String, List<String>> imports = new LinkedHashMap<>();
			List<String> imphashParts = new ArrayList<>();
			report.put("imports", imports);
			if (directory == 0) {
				report.put("imphash", "");
				return;
			}
			int ptr = plus ? 8 : 4;
			long descriptor = offset(directory);
			int total = 0;
			for (int d = 0; d < limits.maxImportDlls(); d++, descriptor += 20) {
				if (descriptor < 0 || descriptor + 20 > b.limit()) {
					throw new Truncated("import descriptor outside the file");
				}
				long lookup = b.u32(descriptor);
				long nameRva = b.u32(descriptor + 12);
				long addresses = b.u32(descriptor + 16);
				if (lookup == 0 && nameRva == 0 && addresses == 0 && b.u32(descriptor + 4) == 0) {
					break;
				}
				if (d == limits.maxImportDlls() - 1) {
					anomalies.add("more than " + limits.maxImportDlls() + " imported dlls; the rest are ignored");
				}
				String dll = stringAt(offset(nameRva));
				long thunk = offset(lookup != 0 ? lookup : addresses);
				if (thunk < 0 && lookup != 0) {
					thunk = offset(addresses);
				}
				List<String> functions = imports.computeIfAbsent(dll, k -> new ArrayList<>());
				String library = dll.toLowerCase(Locale.ROOT);
				int dot = library.lastIndexOf('.');
				String stem = dot >= 0 && Set.of("ocx", "sys", "dll").contains(library.substring(dot + 1))
						? library.substring(0, dot) : library;
				for (int f = 0; f < limits.maxImportsPerDll() && thunk >= 0; f++, thunk += ptr) {
					if (thunk + ptr > b.limit()) {
						anomalies.add("import thunks of " + dll + " run past the end of the file");
						break;
					}
					long value = plus ? b.s64(thunk) : b.u32(thunk);
					if (value == 0) {
						break;
					}
					if (++total > limits.maxImports()) {
						anomalies.add("more than " + limits.maxImports() + " imports; the rest are ignored");
						break;
					}
					boolean byOrdinal = plus ? value < 0 : (value & 0x80000000L) != 0;
					String function;
					if (byOrdinal) {
						int ordinal = (int) (value & 0xffff);
						function = ORDINALS.getOrDefault(library, Map.of()).getOrDefault(ordinal, "ord" + ordinal);
					}
					else {
						long hint = offset(value & 0x7fffffffL);
						function = hint < 0 ? "*invalid*" : stringAt(hint + 2);
					}
					functions.add(function);
					imphashParts.add(stem + "." + function.toLowerCase(Locale.ROOT));
				}
			}
			report.put("imphash", imphashParts.isEmpty() ? "" : md5(String.join(",", imphashParts)));
		}

		private void exports(long directory, long length) {
			if (directory == 0) {
				report.put("exports", List.of());
				return;
			}
			long at = offset(directory);
			if (at < 0 || at + 40 > b.limit()) {
				throw new Truncated("export directory outside the file");
			}
			long base = b.u32(at + 16);
			long functionCount = b.u32(at + 20);
			long nameCount = b.u32(at + 24);
			long names = offset(b.u32(at + 32));
			long ordinals = offset(b.u32(at + 36));
			report.put("exportDll", stringAt(offset(b.u32(at + 12))));
			List<String> exports = new ArrayList<>();
			report.put("exports", exports);
			Set<Long> named = new HashSet<>();
			long n = Math.min(nameCount, limits.maxExports());
			if (nameCount > limits.maxExports()) {
				anomalies.add("export directory claims " + nameCount + " names; " + n + " read");
			}
			for (long i = 0; i < n && names >= 0; i++) {
				if (names + 4 * i + 4 > b.limit()) {
					anomalies.add("export name table runs past the end of the file");
					break;
				}
				exports.add(stringAt(offset(b.u32(names + 4 * i))));
				if (ordinals >= 0 && ordinals + 2 * i + 2 <= b.limit()) {
					named.add((long) b.u16(ordinals + 2 * i));
				}
			}
			long unnamed = Math.min(functionCount, limits.maxExports());
			for (long i = 0; i < unnamed && exports.size() < limits.maxExports(); i++) {
				if (!named.contains(i)) {
					exports.add("ord" + (base + i));
				}
			}
		}

		private void resources(long directory) {
			if (directory == 0) {
				report.put("resourceCount", 0);
				return;
			}
			long root = offset(directory);
			if (root < 0) {
				throw new Truncated("resource directory outside the file");
			}
			int[] budget = { limits.maxResources() };
			int count = resourceLeaves(root, root, 0, new HashSet<>(), budget);
			report.put("resourceCount", count);
			if (budget[0] <= 0) {
				anomalies.add("resource tree has more than " + limits.maxResources() + " entries; counting stopped");
			}
		}

		/** Data entries below a resource directory; at most three levels (type, name, language), no loops. */
		private int resourceLeaves(long root, long dir, int depth, Set<Long> seen, int[] budget) {
			if (depth > 2 || !seen.add(dir) || dir + 16 > b.limit()) {
				return 0;
			}
			int entries = b.u16(dir + 12) + b.u16(dir + 14);
			int leaves = 0;
			for (int i = 0; i < entries && budget[0] > 0; i++, budget[0]--) {
				long entry = dir + 16 + 8L * i;
				if (entry + 8 > b.limit()) {
					anomalies.add("resource directory runs past the end of the file");
					break;
				}
				long target = b.u32(entry + 4);
				if ((target & 0x80000000L) != 0) {
					leaves += resourceLeaves(root, root + (target & 0x7fffffffL), depth + 1, seen, budget);
				}
				else {
					leaves++;
				}
			}
			return leaves;
		}

		/** The file offset of an RVA, or -1 when no section (or the headers) holds it. */
		private long offset(long rva) {
			for (long[] s : sections) {
				long extent = Math.max(s[1], s[3]);
				if (rva >= s[0] && rva < s[0] + extent) {
					long at = s[2] + (rva - s[0]);
					return at < b.limit() ? at : -1;
				}
			}
			if (rva < sizeOfHeaders || sections.isEmpty()) {
				return rva < b.limit() ? rva : -1;
			}
			return -1;
		}

		private long alignedRawPointer(long pointer) {
			// as the Windows loader (and pefile) do: a raw pointer is rounded down to 512 when files are aligned
			return fileAlignment >= 0x200 ? pointer & ~0x1ffL : pointer;
		}

		/** A NUL-terminated string of at most maxNameLength bytes; non-printable bytes are escaped. */
		private String stringAt(long at) {
			String text = b.printable(at, limits.maxNameLength());
			return text == null ? "*invalid*" : text;
		}
	}

	static String md5(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
					.digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	static String machineName(int machine) {
		return switch (machine) {
			case 0x14c -> "I386";
			case 0x8664 -> "AMD64";
			case 0xaa64 -> "ARM64";
			case 0x1c0 -> "ARM";
			case 0x1c4 -> "ARMNT";
			case 0x200 -> "IA64";
			case 0x1f0 -> "POWERPC";
			case 0x166 -> "R4000";
			case 0xebc -> "EBC";
			case 0x5064 -> "RISCV64";
			default -> String.format("0x%04x", machine);
		};
	}

	static String subsystemName(int subsystem) {
		return switch (subsystem) {
			case 1 -> "NATIVE";
			case 2 -> "WINDOWS_GUI";
			case 3 -> "WINDOWS_CUI";
			case 5 -> "OS2_CUI";
			case 7 -> "POSIX_CUI";
			case 9 -> "WINDOWS_CE_GUI";
			case 10 -> "EFI_APPLICATION";
			case 11 -> "EFI_BOOT_SERVICE_DRIVER";
			case 12 -> "EFI_RUNTIME_DRIVER";
			case 13 -> "EFI_ROM";
			case 14 -> "XBOX";
			case 16 -> "WINDOWS_BOOT_APPLICATION";
			default -> "UNKNOWN(" + subsystem + ")";
		};
	}

	private static Map<String, Map<Integer, String>> loadOrdinals() {
		Map<String, Map<Integer, String>> tables = new HashMap<>();
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(
				PeAnalyzer.class.getResourceAsStream("ordinals.tsv"), StandardCharsets.US_ASCII))) {
			String line;
			while ((line = reader.readLine()) != null) {
				if (line.isBlank() || line.startsWith("#")) {
					continue;
				}
				String[] parts = line.split("\t");
				tables.computeIfAbsent(parts[0], k -> new HashMap<>()).put(Integer.parseInt(parts[1]), parts[2]);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		tables.put("wsock32.dll", tables.get("ws2_32.dll"));
		return Map.copyOf(tables);
	}
}
