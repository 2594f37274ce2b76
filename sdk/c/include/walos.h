/* All walos native interfaces. */
#ifndef WALOS_H
#define WALOS_H

#include "walos/pci.h"
#include "walos/proc.h"
#include "walos/stdio.h"
#include "walos/stdout.h"
#include "walos/sys.h"
#include "walos/types.h"
#include "walos/vga.h"

#endif
