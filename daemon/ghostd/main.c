// SPDX-License-Identifier: GPL-2.0
/*
 * ghostd: the ghost supervisor. Options, exit codes, and the order in
 * which the modules start (each _init) and stop (each _fini, in reverse).
 * What each module does is in its header.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "config.h"
#include "control.h"
#include "kernel.h"
#include "liveness.h"
#include "loop.h"
#include "onboard.h"
#include "rundir.h"
#include "service.h"
#include "supervisor.h"

/* Exit codes besides EXIT_SUCCESS and EXIT_FAILURE (a failure at run time). */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_CONFIG	3	/* invalid configuration */
#define EXIT_KERNEL	4	/* ghost.ko absent, or of an incompatible ABI */

static const char usage[] =
	"Usage: ghostd [--config DIR] [--foreground] [--log-level LEVEL]\n"
	"       ghostd --check-config [--config DIR] [PATH]...\n"
	"\n"
	"Create the enclaves the configuration names, run a ghost-agent for each,\n"
	"move matching processes into them, and serve ghostctl.\n"
	"\n"
	"  -c, --config DIR       the configuration directory (default " CONFIG_DIR_DEFAULT ")\n"
	"  -n, --check-config     check the configuration, or each PATH (a configuration\n"
	"                         directory, a directory of enclave files, ghostd.json\n"
	"                         or an enclave file), and exit; touches nothing\n"
	"  -f, --foreground       do not detach (what systemd runs)\n"
	"  -l, --log-level LEVEL  error, warn, notice, info or debug; overrides the\n"
	"                         configuration's log_level\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 success; 1 failure at run time; 2 bad usage; 3 invalid\n"
	"configuration; 4 ghost.ko missing or serving an incompatible ABI.\n";

static struct {
	const char *config_dir;
	bool check_config;
	bool foreground;
	int log_level;		/* -1 unless --log-level */
} opts = { CONFIG_DIR_DEFAULT, false, false, -1 };

static int signal_fd = -1;

static int parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:nfl:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			opts.config_dir = optarg;
			break;
		case 'n':
			opts.check_config = true;
			break;
		case 'f':
			opts.foreground = true;
			break;
		case 'l':
			opts.log_level = log_level_from_name(optarg);
			if (opts.log_level < 0) {
				fprintf(stderr, "ghostd: unknown log level \"%s\" "
					"(error, warn, notice, info, debug)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_SUCCESS);
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc && !opts.check_config) {
		fprintf(stderr, "ghostd: unexpected argument \"%s\"\n%s", argv[optind],
			usage);
		return EXIT_USAGE;
	}
	return EXIT_SUCCESS;
}

/* ghostd --check-config: errors on stderr, one per line, like a compiler's. */
static int check_config(char *const paths[], size_t nr_paths,
			const struct config_machine *machine)
{
	struct config_errors errors = { 0 };
	struct daemon_config config;
	int ret;

	if (nr_paths) {
		ret = config_check_paths(paths, nr_paths, opts.config_dir, machine,
					 &errors);
	} else {
		ret = config_load(opts.config_dir, machine, &config, &errors);
		if (ret == 0) {
			printf("%s: %zu enclave%s:", opts.config_dir,
			       config.nr_enclaves, config.nr_enclaves == 1 ? "" : "s");
			for (size_t i = 0; i < config.nr_enclaves; i++)
				printf(" %s", config.enclaves[i].name);
			printf("%s\n", config.builtin_enclave ? " (built in)" : "");
		}
		config_free(&config);
	}
	for (size_t i = 0; i < errors.nr; i++)
		fprintf(stderr, "%s\n", errors.lines[i]);
	config_errors_free(&errors);
	return ret ? EXIT_CONFIG : EXIT_SUCCESS;
}

static void on_signal(int fd, short revents, void *arg)
{
	struct signalfd_siginfo info;
	char why[1024];

	(void)revents;
	(void)arg;
	while (read(fd, &info, sizeof(info)) == sizeof(info)) {
		if (info.ssi_signo == SIGHUP) {
			if (supervisor_reload(why, sizeof(why)))
				log_error("reload: %s", why);
		} else {
			log_notice("%s: exiting; %s", strsignal(info.ssi_signo),
				   liveness_outlives_us() ?
				   "the agents keep scheduling for the next ghostd" :
				   "the agents return their tasks to CFS");
			loop_quit();
		}
	}
}

static int signals_init(char *why, size_t len)
{
	sigset_t mask;

	/* Replies to clients that hung up must not kill the supervisor. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (signal_fd < 0) {
		snprintf(why, len, "signalfd: %s", strerror(errno));
		return -1;
	}
	loop_add_fd(signal_fd, POLLIN, on_signal, NULL);
	return 0;
}

static void signals_fini(void)
{
	if (signal_fd < 0)
		return;
	loop_remove_fd(signal_fd);
	close(signal_fd);
	signal_fd = -1;
}

/* A reload changed the daemon's settings: apply those main owns. */
static void on_settings(const struct daemon_config *settings)
{
	if (opts.log_level < 0)
		log_set_level(settings->log_level);
	control_set_group(settings->socket_group);
}

/* Start every module, run, and stop them in reverse. */
static int run(struct daemon_config *config)
{
	char why[1024];
	int status = EXIT_FAILURE;

	loop_init();
	service_init();
	if (kernel_init(why, sizeof(why))) {
		log_error("%s", why);
		status = EXIT_KERNEL;
		goto out_service;
	}
	if (!opts.foreground && service_daemonize(why, sizeof(why))) {
		log_error("%s", why);
		goto out_kernel;
	}
	if (rundir_init(why, sizeof(why))) {
		log_error("%s", why);
		goto out_kernel;
	}
	if (liveness_init(why, sizeof(why))) {
		log_error("%s", why);
		goto out_rundir;
	}
	if (signals_init(why, sizeof(why))) {
		log_error("%s", why);
		goto out_liveness;
	}
	/* Subscribed before the supervisor's first scan: no process slips by. */
	if (onboard_init(why, sizeof(why))) {
		log_error("%s", why);
		goto out_signals;
	}
	if (control_init(config->socket_group, why, sizeof(why))) {
		log_error("%s", why);
		goto out_onboard;
	}
	if (supervisor_init(opts.config_dir, config, on_settings, why, sizeof(why))) {
		log_error("%s", why);
		goto out_control;
	}
	loop_run();
	service_stopping();
	status = EXIT_SUCCESS;
	supervisor_fini();
out_control:
	control_fini();
out_onboard:
	onboard_fini();
out_signals:
	signals_fini();
out_liveness:
	liveness_fini();
out_rundir:
	rundir_fini();
out_kernel:
	kernel_fini();
out_service:
	service_failed(status);
	service_fini();
	loop_fini();
	return status;
}

int main(int argc, char **argv)
{
	struct config_errors errors = { 0 };
	struct config_machine machine;
	struct daemon_config config;
	char why[256], *config_dir;
	int status;

	json_set_alloc_funcs(xmalloc, free);
	umask(022);
	status = parse_options(argc, argv);
	if (status)
		return status;
	log_init("ghostd", opts.log_level < 0 ? LOG_LEVEL_INFO : opts.log_level);
	if (config_machine_read(&machine, why, sizeof(why))) {
		log_error("%s", why);
		return EXIT_FAILURE;
	}
	if (opts.check_config)
		return check_config(argv + optind, argc - optind, &machine);
	/* A daemon works from /: reloads must find the directory from there. */
	config_dir = realpath(opts.config_dir, NULL);
	if (!config_dir) {
		log_error("%s: %s", opts.config_dir, strerror(errno));
		return EXIT_CONFIG;
	}
	opts.config_dir = config_dir;
	/* A bad configuration stops ghostd before it touches the kernel. */
	if (config_load(opts.config_dir, &machine, &config, &errors)) {
		for (size_t i = 0; i < errors.nr; i++)
			log_error("%s", errors.lines[i]);
		config_errors_free(&errors);
		config_free(&config);
		return EXIT_CONFIG;
	}
	if (opts.log_level < 0)
		log_set_level(config.log_level);
	status = run(&config);
	config_free(&config);
	free(config_dir);
	log_fini();
	return status;
}
