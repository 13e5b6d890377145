/**
 * Byte-level helpers several analyzers share: a sample's bytes as one buffer, bounded header reads, byte histograms
 * with their entropy, and a sample's block histograms, counted once and shared by the entropy, ELF and PE analyzers.
 * No analyzer's own logic lives here.
 */
package io.trawl.worker.analysis.bytes;
