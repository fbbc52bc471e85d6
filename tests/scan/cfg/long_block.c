/*
 * long_block.c — a block of more than 64 statements (lower.c reads at most
 * MAX_KIDS = 64 children of a cursor), then a switch with more than 64
 * statements in its body, as a driver's IOCTL dispatch has.  Every
 * statement must be in the CFG.  long_block.todo lists what is missing.
 */
void sink(int);

int long_block(int a)
{
    sink(1);
    sink(2);
    sink(3);
    sink(4);
    sink(5);
    sink(6);
    sink(7);
    sink(8);
    sink(9);
    sink(10);
    sink(11);
    sink(12);
    sink(13);
    sink(14);
    sink(15);
    sink(16);
    sink(17);
    sink(18);
    sink(19);
    sink(20);
    sink(21);
    sink(22);
    sink(23);
    sink(24);
    sink(25);
    sink(26);
    sink(27);
    sink(28);
    sink(29);
    sink(30);
    sink(31);
    sink(32);
    sink(33);
    sink(34);
    sink(35);
    sink(36);
    sink(37);
    sink(38);
    sink(39);
    sink(40);
    sink(41);
    sink(42);
    sink(43);
    sink(44);
    sink(45);
    sink(46);
    sink(47);
    sink(48);
    sink(49);
    sink(50);
    sink(51);
    sink(52);
    sink(53);
    sink(54);
    sink(55);
    sink(56);
    sink(57);
    sink(58);
    sink(59);
    sink(60);
    sink(61);
    sink(62);
    sink(63);
    sink(64);
    sink(65);
    sink(66);
    if (a)
        return 1;
    return 0;
}

void long_switch(int a)
{
    switch (a) {
    case 1:
        sink(1);
        break;
    case 2:
        sink(2);
        break;
    case 3:
        sink(3);
        break;
    case 4:
        sink(4);
        break;
    case 5:
        sink(5);
        break;
    case 6:
        sink(6);
        break;
    case 7:
        sink(7);
        break;
    case 8:
        sink(8);
        break;
    case 9:
        sink(9);
        break;
    case 10:
        sink(10);
        break;
    case 11:
        sink(11);
        break;
    case 12:
        sink(12);
        break;
    case 13:
        sink(13);
        break;
    case 14:
        sink(14);
        break;
    case 15:
        sink(15);
        break;
    case 16:
        sink(16);
        break;
    case 17:
        sink(17);
        break;
    case 18:
        sink(18);
        break;
    case 19:
        sink(19);
        break;
    case 20:
        sink(20);
        break;
    case 21:
        sink(21);
        break;
    case 22:
        sink(22);
        break;
    case 23:
        sink(23);
        break;
    case 24:
        sink(24);
        break;
    case 25:
        sink(25);
        break;
    case 26:
        sink(26);
        break;
    case 27:
        sink(27);
        break;
    case 28:
        sink(28);
        break;
    case 29:
        sink(29);
        break;
    case 30:
        sink(30);
        break;
    case 31:
        sink(31);
        break;
    case 32:
        sink(32);
        break;
    case 33:
        sink(33);
        break;
    case 34:
        sink(34);
        break;
    case 35:
        sink(35);
        break;
    case 36:
        sink(36);
        break;
    case 37:
        sink(37);
        break;
    case 38:
        sink(38);
        break;
    case 39:
        sink(39);
        break;
    case 40:
        sink(40);
        break;
    default:
        sink(0);
    }
}
