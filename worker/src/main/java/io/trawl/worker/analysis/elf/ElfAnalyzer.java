package io.trawl.worker.analysis.elf;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.bytes.BoundedReader;
import io.trawl.worker.analysis.bytes.BoundedReader.Truncated;
import io.trawl.worker.source.Sample;

/**
 * ELF metadata: class, byte order, machine, type, entry point, interpreter, needed libraries (from the dynamic
 * segment) and sections with entropy. Hostile headers give a partial report and {@code anomalies}; every count and
 * offset read from the file is bounded before use.
 */
public final class ElfAnalyzer extends AbstractAnalyzer {

	/** Upper bounds on what a hostile header can make us walk. */
	public record Limits(int maxSections, int maxSegments, int maxDynamicEntries, int maxStringLength) {

		public static Limits defaults() {
			return new Limits(4096, 1024, 8192, 4096);
		}
	}

	private final Limits limits;

	public ElfAnalyzer() {
		this(Limits.defaults());
	}

	public ElfAnalyzer(Limits limits) {
		super("elf", "1");
		this.limits = limits;
	}

	@Override
	public Set<String> fields() {
		return Set.of("elf");
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws IOException {
		byte[] head = sample.head(4);
		if (head.length < 4 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
			return;
		}
		findings.put("elf", new Parse(BoundedReader.of(sample), limits, sample.size()).run());
	}

	private static final class Parse {

		private final BoundedReader b;
		private final Limits limits;
		private final long size;
		private final Map<String, Object> report = new LinkedHashMap<>();
		private final List<String> anomalies = new ArrayList<>();
		private final List<long[]> loads = new ArrayList<>(); // vaddr, offset, filesz
		private boolean is64;
		private long phOff;
		private int phEntrySize;
		private int phCount;
		private long shOff;
		private int shEntrySize;
		private long shCount;
		private int shStringIndex;
		private long[] dynamicSegment; // offset, size

		Parse(BoundedReader reader, Limits limits, long size) {
			this.b = reader;
			this.limits = limits;
			this.size = size;
		}

		Map<String, Object> run() {
			try {
				header();
				segments();
				sections();
				dynamic();
			}
			catch (IndexOutOfBoundsException | Truncated e) {
				anomalies.add("truncated or malformed: " + (e.getMessage() == null ? "read past the end"
						: e.getMessage()));
			}
			if (size > b.limit()) {
				anomalies.add("only the first " + b.limit() + " bytes were parsed");
			}
			report.put("anomalies", anomalies);
			return report;
		}

		private void header() {
			if (b.limit() < 16) {
				throw new Truncated("file ends inside the identification bytes");
			}
			int elfClass = b.s8(4);
			int data = b.s8(5);
			is64 = elfClass == 2;
			report.put("class", elfClass == 1 ? "ELF32" : elfClass == 2 ? "ELF64" : "unknown(" + elfClass + ")");
			report.put("endianness", data == 2 ? "big" : data == 1 ? "little" : "unknown(" + data + ")");
			if (elfClass != 1 && elfClass != 2) {
				anomalies.add("unknown ELF class " + elfClass + "; read as 32-bit");
			}
			b.order(data == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
			report.put("osAbi", b.s8(7) & 0xff);
			report.put("type", typeName(b.u16(16)));
			report.put("machine", machineName(b.u16(18)));
			report.put("entry", word(24));
			int at = is64 ? 32 : 28;
			phOff = word(at);
			shOff = word(at + (is64 ? 8 : 4));
			int rest = at + (is64 ? 16 : 8) + 4; // after e_flags
			phEntrySize = b.u16(rest + 2);
			phCount = b.u16(rest + 4);
			shEntrySize = b.u16(rest + 6);
			shCount = b.u16(rest + 8);
			shStringIndex = b.u16(rest + 10);
		}

		private void segments() {
			if (phCount == 0) {
				return;
			}
			if (phEntrySize < (is64 ? 56 : 32)) {
				anomalies.add("program header entries of " + phEntrySize + " bytes are too small");
				return;
			}
			int count = Math.min(phCount, limits.maxSegments());
			report.put("segmentCount", phCount);
			for (int i = 0; i < count; i++) {
				long at = phOff + (long) i * phEntrySize;
				if (at < 0 || at + phEntrySize > b.limit()) {
					throw new Truncated("program headers end after " + i + " of " + phCount);
				}
				long type = b.u32(at);
				long offset = is64 ? b.u64(at + 8) : b.u32(at + 4);
				long vaddr = is64 ? b.u64(at + 16) : b.u32(at + 8);
				long filesz = is64 ? b.u64(at + 32) : b.u32(at + 16);
				if (type == 1) {
					loads.add(new long[] { vaddr, offset, filesz });
				}
				else if (type == 3) {
					report.put("interpreter", string(offset, Math.min(filesz, limits.maxStringLength())));
				}
				else if (type == 2) {
					dynamicSegment = new long[] { offset, filesz };
				}
			}
		}

		private final List<long[]> sectionHeaders = new ArrayList<>(); // type, offset, size, link

		private void sections() {
			List<Object> list = new ArrayList<>();
			report.put("sections", list);
			if (shOff == 0) {
				return;
			}
			if (shEntrySize < (is64 ? 64 : 40)) {
				anomalies.add("section header entries of " + shEntrySize + " bytes are too small");
				return;
			}
			if (shCount == 0 && shOff + shEntrySize <= b.limit()) {
				shCount = is64 ? b.u64(shOff + 32) : b.u32(shOff + 20); // extended numbering: the count is in section 0
			}
			if (shCount > limits.maxSections()) {
				anomalies.add("section count " + shCount + "; only " + limits.maxSections() + " read");
			}
			int count = (int) Math.min(shCount, limits.maxSections());
			long[] names = new long[count];
			for (int i = 0; i < count; i++) {
				long at = shOff + (long) i * shEntrySize;
				if (at < 0 || at + shEntrySize > b.limit()) {
					anomalies.add("section headers end after " + i + " of " + shCount);
					break;
				}
				names[i] = b.u32(at);
				long type = b.u32(at + 4);
				long offset = is64 ? b.u64(at + 24) : b.u32(at + 16);
				long length = is64 ? b.u64(at + 32) : b.u32(at + 20);
				long link = b.u32(at + (is64 ? 40 : 24));
				sectionHeaders.add(new long[] { type, offset, length, link });
			}
			long stringTable = -1;
			long stringTableSize = 0;
			if (shStringIndex < sectionHeaders.size()) {
				stringTable = sectionHeaders.get(shStringIndex)[1];
				stringTableSize = sectionHeaders.get(shStringIndex)[2];
			}
			else if (shStringIndex != 0) {
				anomalies.add("section name table index " + shStringIndex + " is out of range");
			}
			for (int i = 0; i < sectionHeaders.size(); i++) {
				long[] header = sectionHeaders.get(i);
				Map<String, Object> section = new LinkedHashMap<>();
				String name = stringTable >= 0 && names[i] < stringTableSize
						? string(stringTable + names[i], Math.min(stringTableSize - names[i], 256)) : "";
				section.put("name", name);
				section.put("type", sectionType(header[0]));
				section.put("size", header[2]);
				boolean hasBytes = header[0] != 8 && header[0] != 0; // NOBITS and NULL occupy no file bytes
				long available = hasBytes ? Math.max(0, Math.min(header[2], b.limit() - header[1])) : 0;
				if (hasBytes && header[1] >= 0 && available < header[2]) {
					anomalies.add("section " + name + " extends past the end of the file");
				}
				section.put("entropy", hasBytes ? b.entropy(header[1], available) : 0.0);
				list.add(section);
			}
		}

		private void dynamic() {
			long offset;
			long length;
			long stringTable = -1;
			long stringTableSize = Long.MAX_VALUE;
			if (dynamicSegment != null) {
				offset = dynamicSegment[0];
				length = dynamicSegment[1];
			}
			else {
				long[] section = sectionHeaders.stream().filter(s -> s[0] == 6).findFirst().orElse(null);
				if (section == null) {
					return;
				}
				offset = section[1];
				length = section[2];
				if (section[3] < sectionHeaders.size()) {
					stringTable = sectionHeaders.get((int) section[3])[1];
					stringTableSize = sectionHeaders.get((int) section[3])[2];
				}
			}
			int entrySize = is64 ? 16 : 8;
			long count = Math.min(length / entrySize, limits.maxDynamicEntries());
			List<Long> needed = new ArrayList<>();
			long soname = -1;
			long runpath = -1;
			long strtabAddress = -1;
			for (long i = 0; i < count; i++) {
				long at = offset + i * entrySize;
				if (at < 0 || at + entrySize > b.limit()) {
					anomalies.add("dynamic section runs past the end of the file");
					break;
				}
				long tag = is64 ? b.u64(at) : b.u32(at);
				long value = is64 ? b.u64(at + 8) : b.u32(at + 4);
				if (tag == 0) {
					break;
				}
				if (tag == 1) {
					needed.add(value);
				}
				else if (tag == 5) {
					strtabAddress = value;
				}
				else if (tag == 14) {
					soname = value;
				}
				else if (tag == 15 || tag == 29) {
					runpath = value;
				}
			}
			if (strtabAddress != -1) {
				long mapped = fileOffset(strtabAddress);
				if (mapped >= 0) {
					stringTable = mapped;
					stringTableSize = Long.MAX_VALUE;
				}
			}
			if (stringTable < 0) {
				if (!needed.isEmpty()) {
					anomalies.add("dynamic string table not found; needed libraries unnamed");
				}
				return;
			}
			List<String> libraries = new ArrayList<>();
			for (long name : needed) {
				if (name < stringTableSize) {
					libraries.add(string(stringTable + name, limits.maxStringLength()));
				}
			}
			report.put("needed", libraries);
			if (soname >= 0) {
				report.put("soname", string(stringTable + soname, limits.maxStringLength()));
			}
			if (runpath >= 0) {
				report.put("runpath", string(stringTable + runpath, limits.maxStringLength()));
			}
		}

		/** Where a virtual address lives in the file, through the loadable segments; -1 if nowhere. */
		private long fileOffset(long address) {
			for (long[] load : loads) {
				if (address >= load[0] && address - load[0] < load[2]) {
					return load[1] + (address - load[0]);
				}
			}
			return -1;
		}

		private String string(long at, long maxLength) {
			String text = b.printable(at, maxLength);
			if (text == null) {
				anomalies.add("string at offset " + at + " is outside the file");
				return "";
			}
			return text;
		}

		private long word(long at) {
			return is64 ? b.u64(at) : b.u32(at);
		}

	}

	static String typeName(int type) {
		return switch (type) {
			case 0 -> "NONE";
			case 1 -> "REL";
			case 2 -> "EXEC";
			case 3 -> "DYN";
			case 4 -> "CORE";
			default -> String.format("0x%04x", type);
		};
	}

	static String machineName(int machine) {
		return switch (machine) {
			case 3 -> "x86";
			case 62 -> "x86-64";
			case 40 -> "ARM";
			case 183 -> "AArch64";
			case 8 -> "MIPS";
			case 20 -> "PowerPC";
			case 21 -> "PowerPC64";
			case 22 -> "S390";
			case 43 -> "SPARCV9";
			case 243 -> "RISC-V";
			case 258 -> "LoongArch";
			default -> "unknown(" + machine + ")";
		};
	}

	static String sectionType(long type) {
		return switch ((int) Math.min(type, Integer.MAX_VALUE)) {
			case 0 -> "NULL";
			case 1 -> "PROGBITS";
			case 2 -> "SYMTAB";
			case 3 -> "STRTAB";
			case 4 -> "RELA";
			case 5 -> "HASH";
			case 6 -> "DYNAMIC";
			case 7 -> "NOTE";
			case 8 -> "NOBITS";
			case 9 -> "REL";
			case 11 -> "DYNSYM";
			case 14 -> "INIT_ARRAY";
			case 15 -> "FINI_ARRAY";
			case 0x6ffffff6 -> "GNU_HASH";
			case 0x6ffffffe -> "VERNEED";
			case 0x6fffffff -> "VERSYM";
			default -> String.format("0x%x", type);
		};
	}
}
