"""A repository rule that wraps an installed system library as a cc_library.

It runs `pkg-config --cflags/--libs` at fetch time. `local = True` makes Bazel
re-run it on every new machine, so the flags always match what is installed.
"""

def _split(s):
    return [f for f in s.strip().split(" ") if f]

def _system_library_impl(ctx):
    modules = ctx.attr.modules
    cflags = ctx.execute(["pkg-config", "--cflags"] + modules)
    libs = ctx.execute(["pkg-config", "--libs"] + modules)
    if cflags.return_code != 0 or libs.return_code != 0:
        fail("pkg-config could not find %s: %s%s (run tools/test.sh, it installs the Debian packages)" %
             (" ".join(modules), cflags.stderr, libs.stderr))

    # Debian installs every header under /usr/include, which the compiler
    # searches anyway; only the -D flags must reach the code that uses them.
    defines = [f[2:] for f in _split(cflags.stdout) if f.startswith("-D")]
    linkopts = _split(libs.stdout) + ctx.attr.extra_linkopts
    ctx.file("BUILD.bazel", """
cc_library(
    name = "{name}",
    defines = {defines},
    linkopts = {linkopts},
    visibility = ["//visibility:public"],
)
""".format(
        name = ctx.attr.name,
        defines = repr(defines),
        linkopts = repr(linkopts),
    ))

system_library = repository_rule(
    implementation = _system_library_impl,
    attrs = {
        "modules": attr.string_list(mandatory = True),
        "extra_linkopts": attr.string_list(default = []),
    },
    local = True,
)
