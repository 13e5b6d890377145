package io.trawl.worker.yara.delta;

import java.util.List;

/**
 * The rules Trawl compiles in one namespace: a top-level rule file with the files it includes.
 * @param name the file's path under the rules folder, without {@code .yar}/{@code .yara}
 * @param imports the modules imported, in order, without repeats
 * @param rules the rules in the order libyara compiles them
 */
public record SourceNamespace(String name, List<String> imports, List<SourceRule> rules) {
}
