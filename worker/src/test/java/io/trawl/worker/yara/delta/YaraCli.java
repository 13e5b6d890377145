package io.trawl.worker.yara.delta;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The {@code yara} command, the reference: it scans one file with namespaces as Trawl sets them. */
final class YaraCli {

	private YaraCli() {
	}

	/** The ids ({@code namespace:rule}) of the rules that match {@code sample}, in the order {@code yara} prints. */
	static List<String> matches(Path rulesFolder, List<String> namespaces, Path sample, Map<String, String> externals)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("yara", "-e", "-w"));
		// yara reads a value of digits or true/false as a number or a boolean: the corpus names avoid those
		externals.forEach((name, value) -> command.addAll(List.of("-d", name + "=" + value)));
		for (String namespace : namespaces) {
			command.add(namespace + ":" + rulesFolder.resolve(namespace + ".yar"));
		}
		command.add(sample.toString());
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (process.waitFor() != 0) {
			throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
		}
		return Arrays.stream(output.split("\n")).filter(line -> !line.isBlank()).map(line -> line.split(" ")[0]).toList();
	}
}
