package io.trawl.worker.analysis;

/**
 * An {@link Analyzer} whose name and version are fixed when it is made, which is every analyzer Trawl ships: a
 * subclass passes them to the constructor and writes only {@link #analyse}.
 */
public abstract class AbstractAnalyzer implements Analyzer {

	private final String name;

	private final String version;

	protected AbstractAnalyzer(String name, String version) {
		this.name = name;
		this.version = version;
	}

	@Override
	public final String name() {
		return this.name;
	}

	@Override
	public final String version() {
		return this.version;
	}

	@Override
	public String toString() {
		return this.name + " " + this.version;
	}
}
