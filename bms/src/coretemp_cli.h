/* coretemp_cli: `bms coretemp gen | train | adapt | eval | estimate | pipeline`,
 * the command line of the core-temperature work (ct_cli.c). The `bms` CLI
 * (cli.c) hands it argv with argv[0] = "coretemp"; it returns the exit
 * status.
 */
#ifndef BMS_CORETEMP_CLI_H
#define BMS_CORETEMP_CLI_H

int bms_coretemp_main(int argc, char **argv);

#endif /* BMS_CORETEMP_CLI_H */
