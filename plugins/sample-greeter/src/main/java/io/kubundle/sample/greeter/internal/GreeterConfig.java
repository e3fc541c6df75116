package io.kubundle.sample.greeter.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code io.kubundle.sample.greeter}: put it in {@code etc/io.kubundle.sample.greeter.cfg}. */
@ObjectClassDefinition(name = "Sample greeter", description = "Adds a greeting annotation to every object written.")
public @interface GreeterConfig {
    @AttributeDefinition(description = "The greeting; the plugin appends its own name and version.")
    String greeting() default "Hello";

    @AttributeDefinition(description = "The annotation key the greeting is written to.")
    String annotation() default "sample.kubundle.io/greeting";
}
