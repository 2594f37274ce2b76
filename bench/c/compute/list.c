/* Integers and lists: build a linked list of pseudo-random integers, sort
 * it (merge sort on the links), then fold it. Pointer chasing and branches. */
#include "bench.h"

#define COUNT 4096

struct node {
    struct node *next;
    uint32_t value;
};

static struct node nodes[COUNT];

static struct node *merge(struct node *a, struct node *b) {
    struct node head = {0, 0};
    struct node *tail = &head;
    while (a && b) {
        if (a->value <= b->value) {
            tail->next = a;
            a = a->next;
        } else {
            tail->next = b;
            b = b->next;
        }
        tail = tail->next;
    }
    tail->next = a ? a : b;
    return head.next;
}

static struct node *sort(struct node *list) {
    if (!list || !list->next) {
        return list;
    }
    struct node *slow = list, *fast = list->next;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
    }
    struct node *second = slow->next;
    slow->next = 0;
    return merge(sort(list), sort(second));
}

static uint32_t workload(uint32_t seed) {
    uint32_t state = seed * 2654435761u + 1;
    struct node *list = 0;
    for (int i = 0; i < COUNT; i++) {
        nodes[i].value = next_random(&state) % 100000;
        nodes[i].next = list;
        list = &nodes[i];
    }
    list = sort(list);
    uint32_t sum = 0, index = 0;
    for (struct node *n = list; n; n = n->next) {
        sum += n->value ^ index++;
    }
    return sum;
}
