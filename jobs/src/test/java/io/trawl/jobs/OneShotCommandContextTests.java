package io.trawl.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.util.ClassUtils;

class OneShotCommandContextTests {

	@Test
	void aCommandWithoutAWebServerLeavesOutTheServiceOnlyAutoConfigurationsAndKeepsTheUsersOwn() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addLast(new MapPropertySource("user", Map.of("spring.autoconfigure.exclude[0]", "com.example.Mine")));

		new OneShotCommandContext().postProcessEnvironment(environment, application(WebApplicationType.NONE));

		List<String> excluded = excluded(environment);
		assertThat(excluded).contains("com.example.Mine")
			.containsAll(OneShotCommandContext.SERVICE_ONLY)
			.hasSize(OneShotCommandContext.SERVICE_ONLY.size() + 1);
	}

	@Test
	void theServiceAndOtherApplicationsKeepEveryAutoConfiguration() {
		StandardEnvironment web = new StandardEnvironment();
		new OneShotCommandContext().postProcessEnvironment(web, application(WebApplicationType.SERVLET));
		StandardEnvironment other = new StandardEnvironment();
		SpringApplication notTrawl = new SpringApplication(Object.class);
		notTrawl.setWebApplicationType(WebApplicationType.NONE);
		new OneShotCommandContext().postProcessEnvironment(other, notTrawl);

		assertThat(excluded(web)).isEmpty();
		assertThat(excluded(other)).isEmpty();
	}

	@Test
	void everyNamedAutoConfigurationExists() {
		// a renamed class would be excluded silently in vain
		assertThat(OneShotCommandContext.SERVICE_ONLY)
			.allSatisfy(name -> assertThat(ClassUtils.isPresent(name, getClass().getClassLoader())).as(name).isTrue());
	}

	private static SpringApplication application(WebApplicationType type) {
		SpringApplication application = new SpringApplication(TrawlApplication.class);
		application.setWebApplicationType(type);
		return application;
	}

	private static List<String> excluded(StandardEnvironment environment) {
		return Binder.get(environment)
			.bind(OneShotCommandContext.EXCLUDE, Bindable.listOf(String.class))
			.orElse(List.of());
	}
}
