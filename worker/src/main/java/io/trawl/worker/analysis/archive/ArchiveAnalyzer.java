package io.trawl.worker.analysis.archive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import io.trawl.worker.analysis.Deadline;
import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.Signal;
import io.trawl.worker.source.Sample;

/**
 * Opens zip, 7z and tar archives and gzip, bzip2 and xz streams, and analyses each member with the whole pipeline
 * as a child sample ({@link Findings#analyseChild}). Member names are labels only: nothing is written to disk.
 * <p>
 * Field {@code archive}: {@code {format, members: [{path, size, sha256}], limitsHit: [...], anomalies: [...],
 * encrypted}}. Bytes are counted while they are inflated, never taken from headers, against {@link ArchiveLimits}
 * shared by the whole tree of one top-level sample; a limit that is hit stops the expansion and is recorded, it is
 * not an error. Limits hit below are reported on every ancestor too.
 * <p>
 * Encrypted zip members are tried with each password (by default the malware-sharing convention {@code infected});
 * traditional ZipCrypto is decrypted here, AES and strong encryption are not (the member is listed with
 * {@code encrypted: true} and the limit {@code encrypted} is recorded). 7z archives are opened with the first
 * password.
 * <p>
 * Signals: {@code archive-bomb} (40) for the expansion, ratio and member-size limits, {@code archive-nesting} (20)
 * for depth, {@code archive-path-traversal} (20) for member names with {@code ../} or an absolute path,
 * {@code archive-many-members} (10), {@code archive-encrypted} (10) for members no password opened.
 */
public final class ArchiveAnalyzer extends AbstractAnalyzer {

	/** The expansion budget of the top-level sample being analysed on this thread (children run on it too). */
	private static final ThreadLocal<Budget> BUDGET = new ThreadLocal<>();

	private static final int SEVEN_Z_MEMORY_KIB = 64 * 1024;

	private final ArchiveLimits limits;
	private final List<String> passwords;

	public ArchiveAnalyzer() {
		this(ArchiveLimits.defaults());
	}

	public ArchiveAnalyzer(ArchiveLimits limits) {
		this(limits, List.of("infected"));
	}

	public ArchiveAnalyzer(ArchiveLimits limits, List<String> passwords) {
		super("archive", "1");
		this.limits = limits;
		this.passwords = List.copyOf(passwords);
	}

	@Override
	public Set<String> fields() {
		return Set.of("archive");
	}

	enum Format {
		ZIP("zip"), SEVEN_Z("7z"), TAR("tar"), GZIP("gzip"), BZIP2("bzip2"), XZ("xz");

		final String label;

		Format(String label) {
			this.label = label;
		}
	}

	static Format detect(byte[] h) {
		if (h.length >= 4 && h[0] == 'P' && h[1] == 'K' && (h[2] == 3 && h[3] == 4 || h[2] == 5 && h[3] == 6
				|| h[2] == 7 && h[3] == 8)) {
			return Format.ZIP;
		}
		if (h.length >= 6 && h[0] == '7' && h[1] == 'z' && (h[2] & 0xff) == 0xbc && (h[3] & 0xff) == 0xaf
				&& h[4] == 0x27 && h[5] == 0x1c) {
			return Format.SEVEN_Z;
		}
		if (h.length >= 3 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b && h[2] == 8) {
			return Format.GZIP;
		}
		if (h.length >= 4 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9') {
			return Format.BZIP2;
		}
		if (h.length >= 6 && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X' && h[4] == 'Z'
				&& h[5] == 0) {
			return Format.XZ;
		}
		if (h.length >= 262 && h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r') {
			return Format.TAR;
		}
		return null;
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		Format format = detect(sample.head(512));
		if (format == null) {
			return;
		}
		Expansion expansion = new Expansion(sample, findings, format);
		if (findings.depth() >= limits.maxDepth()) {
			expansion.limitsHit.add("maxDepth");
		}
		else {
			Budget budget = BUDGET.get();
			boolean root = budget == null;
			if (root) {
				budget = new Budget(Math.max(1, sample.size()));
				BUDGET.set(budget);
			}
			try {
				expansion.run(budget);
			}
			finally {
				if (root) {
					BUDGET.remove();
				}
			}
		}
		findings.put("archive", expansion.report());
		signals(findings, expansion);
	}

	private void signals(Findings findings, Expansion expansion) {
		List<Signal> raised = new ArrayList<>();
		Set<String> hit = expansion.limitsHit;
		if (hit.contains("maxExpandedBytes") || hit.contains("maxRatio") || hit.contains("maxMemberBytes")) {
			raised.add(new Signal("archive-bomb", 40));
		}
		if (hit.contains("maxDepth")) {
			raised.add(new Signal("archive-nesting", 20));
		}
		if (hit.contains("maxChildren")) {
			raised.add(new Signal("archive-many-members", 10));
		}
		if (hit.contains("encrypted")) {
			raised.add(new Signal("archive-encrypted", 10));
		}
		if (expansion.unsafePaths) {
			raised.add(new Signal("archive-path-traversal", 20));
		}
		findings.raise(raised);
	}

	/** What one top-level sample may still expand, over all its nested archives. */
	private static final class Budget {
		final long rootSize;
		long expanded;
		int children;

		Budget(long rootSize) {
			this.rootSize = rootSize;
		}
	}

	/** A limit that ends the whole expansion. */
	private static final class LimitHit extends RuntimeException {
		final String limit;

		LimitHit(String limit) {
			super(limit, null, false, false);
			this.limit = limit;
		}
	}

	/** A member larger than maxMemberBytes: skipped, the rest continue. */
	private static final class MemberTooLarge extends IOException {
		MemberTooLarge() {
			super("member exceeds maxMemberBytes", null);
		}
	}

	/** The opening of one archive: its members, the limits it hit and what looked wrong. */
	private final class Expansion {

		private final Sample sample;
		private final Findings findings;
		private final Format format;
		private final List<Map<String, Object>> members = new ArrayList<>();
		private final Set<String> limitsHit = new LinkedHashSet<>();
		private final List<String> anomalies = new ArrayList<>();
		private boolean encrypted;
		private boolean corrupt;
		private boolean unsafePaths;
		private Budget budget;

		Expansion(Sample sample, Findings findings, Format format) {
			this.sample = sample;
			this.findings = findings;
			this.format = format;
		}

		void run(Budget budget) {
			this.budget = budget;
			try {
				switch (format) {
					case ZIP -> zip();
					case SEVEN_Z -> sevenZ();
					case TAR -> tar();
					case GZIP -> single(new GzipCompressorInputStream(sample.openStream(), true), ".gz");
					case BZIP2 -> single(new BZip2CompressorInputStream(sample.openStream(), true), ".bz2");
					case XZ -> single(new XZCompressorInputStream(sample.openStream(), true), ".xz");
				}
			}
			catch (LimitHit e) {
				limitsHit.add(e.limit);
			}
			catch (IOException | RuntimeException e) {
				corrupt = true;
				anomalies.add("unreadable " + format.label + ": " + message(e));
			}
		}

		private void zip() throws IOException {
			ZipFile zip;
			try {
				zip = ZipFile.builder().setSeekableByteChannel(channel()).setUseUnicodeExtraFields(true).get();
			}
			catch (IOException | RuntimeException e) {
				corrupt = true;
				anomalies.add("zip central directory unreadable (" + message(e) + "); read the local headers");
				zipStream();
				return;
			}
			try (zip) {
				for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
					if (entry.isDirectory()) {
						continue;
					}
					if (entry.getGeneralPurposeBit().usesEncryption()) {
						encrypted(zip, entry);
					}
					else if (!zip.canReadEntryData(entry)) {
						skipped(entry.getName(), "unsupported compression method " + entry.getMethod());
					}
					else {
						try (InputStream in = zip.getInputStream(entry)) {
							member(entry.getName(), in, Map.of());
						}
					}
				}
			}
		}

		/** For a zip whose central directory is damaged: walk the local headers from the start. */
		private void zipStream() throws IOException {
			try (ZipArchiveInputStream zip = new ZipArchiveInputStream(sample.openStream(), "UTF-8", true, true)) {
				ZipArchiveEntry entry;
				while ((entry = zip.getNextEntry()) != null) {
					if (entry.isDirectory()) {
						continue;
					}
					if (entry.getGeneralPurposeBit().usesEncryption()) {
						encrypted = true;
						limitsHit.add("encrypted");
						skipped(entry.getName(), "encrypted");
					}
					else if (!zip.canReadEntryData(entry)) {
						skipped(entry.getName(), "unsupported compression method " + entry.getMethod());
					}
					else {
						member(entry.getName(), zip, Map.of());
					}
				}
			}
		}

		private void encrypted(ZipFile zip, ZipArchiveEntry entry) throws IOException {
			encrypted = true;
			int method = entry.getMethod();
			boolean traditional = !entry.getGeneralPurposeBit().usesStrongEncryption() && (method == 0 || method == 8);
			if (traditional && entry.getCompressedSize() >= 12 && entry.getCompressedSize() <= limits.maxMemberBytes()) {
				byte[] raw;
				try (InputStream in = zip.getRawInputStream(entry)) {
					raw = in.readNBytes((int) entry.getCompressedSize());
				}
				for (String password : passwords) {
					byte[] plain = decrypt(raw, entry, password);
					if (plain != null) {
						Map<String, Object> extra = new LinkedHashMap<>();
						extra.put("encrypted", true);
						extra.put("password", password);
						member(entry.getName(), new ByteArrayInputStream(plain), extra);
						return;
					}
				}
			}
			limitsHit.add("encrypted");
			anomalies.add("could not decrypt " + entry.getName() + (traditional ? " with the known passwords"
					: " (AES or strong encryption is not supported)"));
			Map<String, Object> listed = new LinkedHashMap<>();
			listed.put("path", entry.getName());
			listed.put("declaredSize", entry.getSize());
			listed.put("encrypted", true);
			members.add(listed);
		}

		/** The member's bytes, or null when the password is wrong (the header check or the CRC fails). */
		private byte[] decrypt(byte[] raw, ZipArchiveEntry entry, String password) throws IOException {
			byte[] data = raw.clone();
			ZipCrypto crypto = new ZipCrypto(password);
			boolean descriptor = entry.getGeneralPurposeBit().usesDataDescriptor();
			boolean headerOk = crypto.header(data, (int) (entry.getCrc() >>> 24));
			if (!headerOk && !descriptor) {
				return null;
			}
			crypto.decrypt(data, 12, data.length - 12);
			byte[] plain;
			try {
				InputStream in = new ByteArrayInputStream(data, 12, data.length - 12);
				if (entry.getMethod() == 8) {
					in = new InflaterInputStream(in, new Inflater(true));
				}
				plain = bounded(in);
			}
			catch (java.util.zip.ZipException e) {
				return null;
			}
			CRC32 crc = new CRC32();
			crc.update(plain);
			return crc.getValue() == entry.getCrc() ? plain : null;
		}

		private void sevenZ() throws IOException {
			SevenZFile.Builder builder = SevenZFile.builder().setSeekableByteChannel(channel())
					.setMaxMemoryLimitKiB(SEVEN_Z_MEMORY_KIB);
			if (!passwords.isEmpty()) {
				builder.setPassword(passwords.get(0));
			}
			try (SevenZFile sevenZ = builder.get()) {
				SevenZArchiveEntry entry;
				while ((entry = sevenZ.getNextEntry()) != null) {
					if (entry.isDirectory() || !entry.hasStream()) {
						continue;
					}
					try (InputStream in = sevenZ.getInputStream(entry)) {
						member(entry.getName(), in, Map.of());
					}
				}
			}
		}

		private void tar() throws IOException {
			try (TarArchiveInputStream tar = new TarArchiveInputStream(sample.openStream())) {
				TarArchiveEntry entry;
				while ((entry = tar.getNextEntry()) != null) {
					if (entry.isFile()) {
						member(entry.getName(), tar, Map.of());
					}
				}
			}
		}

		/** A compressed stream holds one member, named after the sample without its suffix. */
		private void single(InputStream in, String suffix) throws IOException {
			try (in) {
				String name = sample.name();
				name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
				if (in instanceof GzipCompressorInputStream gzip && gzip.getMetaData().getFileName() != null) {
					name = gzip.getMetaData().getFileName();
				}
				else if (name.toLowerCase().endsWith(suffix)) {
					name = name.substring(0, name.length() - suffix.length());
				}
				else if (name.toLowerCase().endsWith(".tgz")) {
					name = name.substring(0, name.length() - 4) + ".tar";
				}
				member(name.isEmpty() ? "content" : name, in, Map.of());
			}
		}

		private void member(String path, InputStream in, Map<String, Object> extra) throws IOException {
			Deadline.check();
			if (budget.children >= limits.maxChildren()) {
				throw new LimitHit("maxChildren");
			}
			if (isUnsafe(path)) {
				unsafePaths = true;
				anomalies.add("member name leaves the archive: " + path);
			}
			byte[] content;
			try {
				content = bounded(in);
			}
			catch (MemberTooLarge e) {
				limitsHit.add("maxMemberBytes");
				skipped(path, "maxMemberBytes");
				return;
			}
			catch (IOException | RuntimeException e) {
				if (e instanceof LimitHit hit) {
					throw hit;
				}
				anomalies.add("member " + path + " is damaged: " + message(e));
				skipped(path, "damaged");
				return;
			}
			budget.children++;
			Findings child = findings.analyseChild(path, Sample.ofBytes(path, content));
			Map<String, Object> member = new LinkedHashMap<>();
			member.put("path", path);
			member.put("size", (long) content.length);
			member.put("sha256", child.get("sha256"));
			member.putAll(extra);
			members.add(member);
			if (child.get("archive") instanceof Map<?, ?> nested && nested.get("limitsHit") instanceof List<?> below) {
				below.forEach(limit -> limitsHit.add(String.valueOf(limit)));
			}
		}

		/** Reads a member while counting its bytes against every limit. */
		private byte[] bounded(InputStream in) throws IOException {
			ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
			byte[] chunk = new byte[64 * 1024];
			long size = 0;
			int n;
			while ((n = in.read(chunk)) != -1) {
				size += n;
				budget.expanded += n;
				if (size > limits.maxMemberBytes()) {
					throw new MemberTooLarge();
				}
				if (budget.expanded > limits.maxExpandedBytes()) {
					throw new LimitHit("maxExpandedBytes");
				}
				if (budget.expanded > ArchiveLimits.RATIO_FLOOR
						&& budget.expanded / budget.rootSize > limits.maxRatio()) {
					throw new LimitHit("maxRatio");
				}
				out.write(chunk, 0, n);
			}
			return out.toByteArray();
		}

		private void skipped(String path, String reason) {
			Map<String, Object> member = new LinkedHashMap<>();
			member.put("path", path);
			member.put("skipped", reason);
			members.add(member);
		}

		private SeekableByteChannel channel() throws IOException {
			if (sample.bytes().isPresent()) {
				return new BufferChannel(sample.bytes().get());
			}
			return FileChannel.open(sample.file().orElseThrow(), StandardOpenOption.READ);
		}

		Map<String, Object> report() {
			Map<String, Object> report = new LinkedHashMap<>();
			report.put("format", format.label);
			report.put("members", members);
			report.put("limitsHit", new ArrayList<>(limitsHit));
			report.put("anomalies", anomalies);
			report.put("encrypted", encrypted);
			report.put("corrupt", corrupt);
			return report;
		}
	}

	static boolean isUnsafe(String path) {
		String p = path.replace('\\', '/');
		return p.startsWith("/") || startsWithDrive(p) || p.equals("..") || p.startsWith("../")
				|| p.contains("/../") || p.endsWith("/..");
	}

	/** {@code C:} and the like, whatever follows it (a line break too). */
	private static boolean startsWithDrive(String path) {
		char drive = path.length() > 1 ? path.charAt(0) : 0;
		return (drive >= 'A' && drive <= 'Z' || drive >= 'a' && drive <= 'z') && path.charAt(1) == ':';
	}

	private static String message(Throwable e) {
		return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
	}
}
