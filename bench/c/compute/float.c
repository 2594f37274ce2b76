/* Floating point: an n-body simulation step by step (five bodies, double
 * precision, a square root per pair) and a Mandelbrot row. */
#include <math.h>

#include "bench.h"

#define BODIES 5
#define STEPS 200

struct body {
    double x, y, z, vx, vy, vz, mass;
};

static void advance(struct body *bodies, double dt) {
    for (int i = 0; i < BODIES; i++) {
        for (int j = i + 1; j < BODIES; j++) {
            double dx = bodies[i].x - bodies[j].x;
            double dy = bodies[i].y - bodies[j].y;
            double dz = bodies[i].z - bodies[j].z;
            double d2 = dx * dx + dy * dy + dz * dz + 0.01;
            double magnitude = dt / (d2 * sqrt(d2));
            bodies[i].vx -= dx * bodies[j].mass * magnitude;
            bodies[i].vy -= dy * bodies[j].mass * magnitude;
            bodies[i].vz -= dz * bodies[j].mass * magnitude;
            bodies[j].vx += dx * bodies[i].mass * magnitude;
            bodies[j].vy += dy * bodies[i].mass * magnitude;
            bodies[j].vz += dz * bodies[i].mass * magnitude;
        }
    }
    for (int i = 0; i < BODIES; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

static uint32_t mandelbrot_row(double y) {
    uint32_t inside = 0;
    for (int px = 0; px < 64; px++) {
        double cx = -2.0 + px * (2.5 / 64), zx = 0, zy = 0;
        int k = 0;
        while (k < 64 && zx * zx + zy * zy < 4.0) {
            double t = zx * zx - zy * zy + cx;
            zy = 2 * zx * zy + y;
            zx = t;
            k++;
        }
        inside += (uint32_t)k;
    }
    return inside;
}

static uint32_t workload(uint32_t seed) {
    struct body bodies[BODIES];
    uint32_t state = seed * 2654435761u + 11;
    for (int i = 0; i < BODIES; i++) {
        bodies[i] = (struct body){(double)(next_random(&state) % 200) / 10 - 10,
                                  (double)(next_random(&state) % 200) / 10 - 10,
                                  (double)(next_random(&state) % 200) / 10 - 10,
                                  0,
                                  0,
                                  0,
                                  1 + (double)(next_random(&state) % 10)};
    }
    for (int s = 0; s < STEPS; s++) {
        advance(bodies, 0.01);
    }
    double energy = 0;
    for (int i = 0; i < BODIES; i++) {
        energy += bodies[i].mass * (bodies[i].vx * bodies[i].vx + bodies[i].vy * bodies[i].vy);
    }
    return (uint32_t)(int64_t)(energy * 1000) + mandelbrot_row((double)(seed % 64) / 32 - 1);
}
