package io.trawl.jobs.ui;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The login form: a view, not a controller, since Spring Security's filters take its POST (the API key becomes a
 * server session) and answer /logout.
 */
@Configuration(proxyBeanMethods = false)
class LoginPage implements WebMvcConfigurer {

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addViewController("/login").setViewName("login");
	}
}
