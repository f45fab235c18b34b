/* ct_main: a stand-alone `bms-coretemp coretemp ...` used only while the
 * `bms` CLI (ecm.cmake) is not in the tree; it forwards to bms_coretemp_main.
 */
#include "coretemp_cli.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		return bms_coretemp_main(argc, argv);
	return bms_coretemp_main(argc - 1, argv + 1);
}
