/* dockclient.h: vslctl's client of a dock (dockclient.c), reached as
 * `vslctl --dock HOST:PORT ...`.
 */
#ifndef ISTHMUS_VSL_DOCKCLIENT_H
#define ISTHMUS_VSL_DOCKCLIENT_H

/* argv[1] is "--dock"; returns vslctl's exit status. */
int vsl_dock_client_main(int argc, char **argv);

#endif /* ISTHMUS_VSL_DOCKCLIENT_H */
