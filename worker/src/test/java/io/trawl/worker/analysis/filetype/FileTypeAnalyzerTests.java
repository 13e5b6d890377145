package io.trawl.worker.analysis.filetype;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.content.MimeTypeAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

class FileTypeAnalyzerTests {

	private final FileTypeAnalyzer analyzer = new FileTypeAnalyzer();

	@Test
	void givenExecutables_thenDescriptionAndFlagsNameTheFormat() {
		assertThat(type(TestCorpus.pe32())).containsEntry("description", "PE32 executable (i386)")
				.containsEntry("isPE", true).containsEntry("isELF", false);
		assertThat(type(TestCorpus.pe64())).containsEntry("description", "PE32+ executable (x86-64)");
		assertThat(type(TestCorpus.elf64())).containsEntry("description", "ELF 64-bit shared object")
				.containsEntry("isELF", true).containsEntry("isPE", false);
		assertThat(type(TestCorpus.elf32())).containsEntry("description", "ELF 32-bit executable");
		assertThat(type(new byte[] { (byte) 0xcf, (byte) 0xfa, (byte) 0xed, (byte) 0xfe, 7, 0, 0, 1 }))
				.containsEntry("description", "Mach-O 64-bit").containsEntry("isMachO", true);
	}

	@Test
	void givenArchivesAndDocuments_thenTheyAreFlagged() {
		assertThat(type(TestCorpus.normalZip())).containsEntry("description", "Zip archive")
				.containsEntry("isArchive", true).containsEntry("isDocument", false);
		assertThat(type(TestCorpus.gzip(new byte[10]))).containsEntry("description", "gzip compressed data")
				.containsEntry("isArchive", true);
		assertThat(type(TestCorpus.tar(Map.of("a.txt", new byte[3])))).containsEntry("description", "tar archive");
		assertThat(type("%PDF-1.7\n%\u00e2\u00e3".getBytes(StandardCharsets.ISO_8859_1)))
				.containsEntry("description", "PDF document").containsEntry("isDocument", true);
		assertThat(type(TestCorpus.zip(Map.of("[Content_Types].xml", new byte[1], "word/document.xml",
				new byte[1])))).containsEntry("isDocument", true).containsEntry("isArchive", true);
	}

	@Test
	void givenScripts_thenTheyAreFlaggedAsScripts() {
		assertThat(type(TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8)))
				.containsEntry("description", "Shell script").containsEntry("isScript", true);
		assertThat(type(TestCorpus.powershellScript().getBytes(StandardCharsets.UTF_8)))
				.containsEntry("description", "PowerShell script").containsEntry("isScript", true);
		assertThat(type("#!/usr/bin/env python3\nprint(1)\n".getBytes(StandardCharsets.US_ASCII)))
				.containsEntry("description", "Python script");
	}

	@Test
	void givenEdgeCases_thenAPlainDescriptionAndNoFlags() {
		assertThat(type(new byte[0])).containsEntry("description", "empty").containsEntry("isScript", false);
		assertThat(type(TestCorpus.randomBytes(4096, 1))).containsEntry("description", "data");
		assertThat(type(TestCorpus.eicar())).containsEntry("description", "ASCII text");
		assertThat(type(TestCorpus.truncatedPe())).containsEntry("isPE", true);
		assertThat(type(new byte[] { 'M', 'Z' })).containsEntry("description", "MS-DOS executable (truncated)")
				.containsEntry("isPE", false);
	}

	@Test
	void givenContentsOfEveryLength_thenMagicIsTheirFirstEightBytesInHex() {
		assertThat(type(TestCorpus.pe32())).containsEntry("magic",
				HexFormat.of().formatHex(java.util.Arrays.copyOf(TestCorpus.pe32(), 8))).containsKey("description");
		assertThat(type(TestCorpus.elf64()).get("magic")).asString().hasSize(16).startsWith("7f454c46");
		assertThat(type(new byte[] { 'M', 'Z' })).containsEntry("magic", "4d5a");
		assertThat(type(new byte[] { (byte) 0xAB })).containsEntry("magic", "ab");
		assertThat(type(new byte[0])).containsEntry("magic", "");
		assertThat(type("#!/bin/sh\necho hi\n".getBytes(StandardCharsets.US_ASCII)))
			.containsEntry("magic", "23212f62696e2f73");
		assertThat(analyzer.version()).as("a stored result without magic is never taken as evidence").isNotEqualTo("1");
	}

	@Test
	void givenAMimeTypeFromTika_thenItIsCarriedAndUsedForTheFlags() throws Exception {
		Findings findings = new Findings();
		Sample sample = Sample.ofBytes("x.zip", TestCorpus.normalZip());
		new MimeTypeAnalyzer().analyse(sample, findings);
		analyzer.analyse(sample, findings);

		assertThat(map(findings.get("fileType"))).containsEntry("mimeType", "application/zip")
				.containsEntry("isArchive", true);
	}

	private Map<String, Object> type(byte[] content) {
		Findings findings = new Findings();
		analyzer.analyse(Sample.ofBytes("sample", content), findings);
		return map(findings.get("fileType"));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}
}
